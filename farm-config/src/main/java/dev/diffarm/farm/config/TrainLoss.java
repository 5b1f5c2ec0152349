package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * What a train job's loss compares and how it weighs the timesteps, by diffusers' and kohya's names.
 *
 * @param predictionType what the model predicts: {@code epsilon} (SD 1.x) or {@code v_prediction}
 * @param noiseOffset    kohya's {@code --noise_offset}: a per-channel offset added to the noise, 0 for none
 * @param snrGamma       min-SNR-γ weighting ({@code --snr_gamma}; 5 is the paper's value), empty for none
 */
public record TrainLoss(String predictionType, double noiseOffset, OptionalDouble snrGamma) {
    /** diffusers' names of what a model predicts ({@link Rules} reads them lazily: this class builds {@link #DEFAULTS} with them). */
    public static final List<String> PREDICTION_TYPES = List.of("epsilon", "v_prediction");
    /** Epsilon, no noise offset, no min-SNR weighting. */
    public static final TrainLoss DEFAULTS = new TrainLoss("epsilon", 0, OptionalDouble.empty());

    public TrainLoss {
        Rules.PREDICTION_TYPE.require("predictionType", predictionType);
        Rules.NOISE_OFFSET.require("noiseOffset", noiseOffset);
        Objects.requireNonNull(snrGamma, "snrGamma");
        snrGamma.ifPresent(gamma -> Rules.SNR_GAMMA.require("snrGamma", gamma));
    }

    void write(ObjectNode node) {
        node.put("predictionType", predictionType);
        node.put("noiseOffset", noiseOffset);
        snrGamma.ifPresent(gamma -> node.put("snrGamma", gamma));
    }
}

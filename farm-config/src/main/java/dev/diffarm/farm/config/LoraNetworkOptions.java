package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Which parts of the model a {@code lora} train job's LoRA is on, and their learning rates, with kohya's names and
 * defaults: the text encoder's and the UNet's layers both, each at the job's {@code learningRate}.
 *
 * @param networkTrainUnetOnly        kohya's {@code --network_train_unet_only}: the UNet's layers alone
 * @param networkTrainTextEncoderOnly kohya's {@code --network_train_text_encoder_only}: the text encoder's alone
 * @param textEncoderLr               kohya's {@code --text_encoder_lr}: the text encoder's base learning rate;
 *                                    empty: the job's
 * @param unetLr                      kohya's {@code --unet_lr}: the UNet's base learning rate; empty: the job's
 */
public record LoraNetworkOptions(boolean networkTrainUnetOnly, boolean networkTrainTextEncoderOnly,
                                 OptionalDouble textEncoderLr, OptionalDouble unetLr) {
    /** kohya's defaults: both parts, at the job's learning rate. */
    public static final LoraNetworkOptions DEFAULTS = new LoraNetworkOptions(false, false, OptionalDouble.empty(),
            OptionalDouble.empty());
    /** The job fields these are. */
    static final List<String> FIELDS = List.of("networkTrainUnetOnly", "networkTrainTextEncoderOnly", "textEncoderLr",
            "unetLr");

    public LoraNetworkOptions {
        Objects.requireNonNull(textEncoderLr, "textEncoderLr");
        Objects.requireNonNull(unetLr, "unetLr");
        if (networkTrainUnetOnly && networkTrainTextEncoderOnly) {
            throw new IllegalArgumentException("networkTrainTextEncoderOnly: " + BOTH_PARTS);
        }
        textEncoderLr.ifPresent(rate -> Rules.LEARNING_RATE.require("textEncoderLr", rate));
        unetLr.ifPresent(rate -> Rules.LEARNING_RATE.require("unetLr", rate));
    }

    /** Why the two "only" fields cannot both be true. */
    static final String BOTH_PARTS = "expected false with networkTrainUnetOnly true (one part alone, or neither for both)";

    /** Writes the fields that differ from kohya's defaults (a job without them keeps its parameter hash). */
    void write(ObjectNode node) {
        if (networkTrainUnetOnly) {
            node.put("networkTrainUnetOnly", true);
        }
        if (networkTrainTextEncoderOnly) {
            node.put("networkTrainTextEncoderOnly", true);
        }
        textEncoderLr.ifPresent(rate -> node.put("textEncoderLr", rate));
        unetLr.ifPresent(rate -> node.put("unetLr", rate));
    }
}

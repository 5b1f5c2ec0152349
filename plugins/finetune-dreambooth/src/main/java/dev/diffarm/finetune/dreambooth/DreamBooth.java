package dev.diffarm.finetune.dreambooth;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.FineTuneMethod;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.api.finetune.MicroBatch;
import dev.diffarm.api.finetune.Objective;
import dev.diffarm.api.finetune.PriorPreservation;
import dev.diffarm.api.finetune.TrainableModel;
import dev.diffarm.api.finetune.Training;
import dev.diffarm.api.finetune.TrainedTextEncoder;
import dev.diffarm.api.finetune.TrainedUNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.pf4j.Extension;

/**
 * DreamBooth as diffusers' {@code train_dreambooth.py} trains it: every tensor of the UNet is trained in place, and
 * with {@code --train_text_encoder} every tensor of the text encoder too (after the UNet's, in the optimizer's order,
 * as diffusers chains them); with class images the loss is prior-preserving,
 * {@code loss(instance half) + priorLossWeight · loss(class half)}. The result is a single-file checkpoint in the
 * original layout, which A1111, ComfyUI and diffarm's render jobs load as a model.
 *
 * <p>Options: {@code prior-loss-weight} (default 1), {@code train-text-encoder} ({@code true} or {@code false},
 * default false).
 */
@Extension
public final class DreamBooth implements FineTuneMethod {
    @Override
    public String name() {
        return "dreambooth";
    }

    @Override
    public Training start(TrainableModel model, MethodOptions options, NDManager manager) {
        double priorLossWeight = options.number("prior-loss-weight", 1.0, 0);
        String trainText = options.text("train-text-encoder", "false").strip();
        if (!trainText.equals("true") && !trainText.equals("false")) {
            throw new IllegalArgumentException("--train-text-encoder: expected true or false, got '" + trainText + "'");
        }
        Optional<TrainedTextEncoder> text = trainText.equals("true") ? Optional.of(model.trainTextEncoder())
                : Optional.empty();
        return new UNetTraining(model, model.trainUNet(), text, priorLossWeight);
    }

    private record UNetTraining(TrainableModel model, TrainedUNet unet, Optional<TrainedTextEncoder> text,
                                double priorLossWeight) implements Training {
        /** The UNet's tensors, then the text encoder's when it trains: diffusers' {@code itertools.chain} order. */
        @Override
        public Map<String, NDArray> parameters() {
            if (text.isEmpty()) {
                return unet.parameters();
            }
            Map<String, NDArray> all = new LinkedHashMap<>(unet.parameters());
            all.putAll(text.get().parameters());
            return all;
        }

        @Override
        public NDArray loss(MicroBatch batch, Objective objective) {
            NDArray prediction = model.predict(batch.noisy(), batch.timesteps(), model.encode(batch.captions()));
            return PriorPreservation.loss(objective, prediction, batch, priorLossWeight);
        }

        @Override
        public void afterStep() {
            unet.changed();
            text.ifPresent(TrainedTextEncoder::changed);
        }

        @Override
        public void save(Path out, Map<String, String> metadata) throws IOException {
            unet.write(out, metadata);
        }

        @Override
        public Map<String, NDArray> saved() {
            return parameters();
        }

        @Override
        public Map<String, NDArray> load(Path file, NDManager manager) throws IOException {
            return unet.read(file, manager);
        }

        @Override
        public void close() {
            unet.release();
            text.ifPresent(TrainedTextEncoder::release);
        }
    }
}

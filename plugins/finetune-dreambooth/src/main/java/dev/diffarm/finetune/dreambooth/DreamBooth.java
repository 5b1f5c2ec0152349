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
import dev.diffarm.api.finetune.TrainedUNet;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.pf4j.Extension;

/**
 * DreamBooth as diffusers' {@code train_dreambooth.py} trains it: every tensor of the UNet is trained in place, the
 * text encoder stays frozen; with class images the loss is prior-preserving,
 * {@code loss(instance half) + priorLossWeight · loss(class half)}. The result is a single-file checkpoint in the
 * original layout, which A1111, ComfyUI and diffarm's render jobs load as a model.
 *
 * <p>Options: {@code prior-loss-weight} (default 1).
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
        return new UNetTraining(model, model.trainUNet(), priorLossWeight);
    }

    private record UNetTraining(TrainableModel model, TrainedUNet unet, double priorLossWeight) implements Training {
        @Override
        public Map<String, NDArray> parameters() {
            return unet.parameters();
        }

        @Override
        public NDArray loss(MicroBatch batch, Objective objective) {
            NDArray prediction = model.predict(batch.noisy(), batch.timesteps(), model.encode(batch.captions()));
            return PriorPreservation.loss(objective, prediction, batch, priorLossWeight);
        }

        @Override
        public void afterStep() {
            unet.changed();
        }

        @Override
        public void save(Path out, Map<String, String> metadata) throws IOException {
            unet.write(out, metadata);
        }

        @Override
        public Map<String, NDArray> saved() {
            return unet.parameters();
        }

        @Override
        public Map<String, NDArray> load(Path file, NDManager manager) throws IOException {
            return unet.read(file, manager);
        }

        @Override
        public void close() {
            unet.release();
        }
    }
}

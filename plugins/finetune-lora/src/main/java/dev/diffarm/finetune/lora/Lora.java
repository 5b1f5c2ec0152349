package dev.diffarm.finetune.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.FineTuneMethod;
import dev.diffarm.api.finetune.LoraAdapter;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.api.finetune.MicroBatch;
import dev.diffarm.api.finetune.Objective;
import dev.diffarm.api.finetune.PriorPreservation;
import dev.diffarm.api.finetune.TrainableModel;
import dev.diffarm.api.finetune.Training;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import org.pf4j.Extension;

/**
 * LoRA as kohya's {@code train_network.py} and diffusers' {@code train_text_to_image_lora.py} train it: the A and B of
 * a LoRA on the UNet's linear layers are the trained arrays, the text encoder stays frozen, the loss is the run's
 * objective (prior-preserving when the run has class images). The result is a kohya LoRA file.
 *
 * <p>Options: {@code network-dim} (rank, default 4), {@code network-alpha} (default 1), {@code lora-targets} (peft's
 * module names, default kohya's set), {@code network-weights} (a LoRA file to start from), {@code prior-loss-weight}
 * (default 1).
 *
 * <p>The adapter itself (its layers, its init draws, the kohya file) is the host's: the render path reads the same
 * file format and the same layer names, and the host's copy is the one checked against peft.
 */
@Extension
public final class Lora implements FineTuneMethod {
    @Override
    public String name() {
        return "lora";
    }

    @Override
    public Training start(TrainableModel model, MethodOptions options, NDManager manager) {
        double priorLossWeight = options.number("prior-loss-weight", 1.0, 0);
        LoraAdapter lora = options.text("network-weights")
                .map(file -> model.loadLora(Path.of(file), manager))
                .orElseGet(() -> model.createLora(options.list("lora-targets"), options.integer("network-dim", 4, 1),
                        (float) options.number("network-alpha", 1.0, Double.MIN_VALUE), manager));
        return new LoraTraining(model, lora, priorLossWeight);
    }

    private record LoraTraining(TrainableModel model, LoraAdapter lora, double priorLossWeight) implements Training {
        @Override
        public Map<String, NDArray> parameters() {
            return lora.parameters();
        }

        @Override
        public void beforeStep() {
            lora.attach();
        }

        @Override
        public NDArray loss(MicroBatch batch, Objective objective) {
            NDArray prediction = model.predict(batch.noisy(), batch.timesteps(), model.encode(batch.captions()));
            return PriorPreservation.loss(objective, prediction, batch, priorLossWeight);
        }

        @Override
        public void afterStep() {
            lora.detach();
        }

        @Override
        public void save(Path out, Map<String, String> metadata) throws IOException {
            lora.write(out, metadata);
        }

        @Override
        public Map<String, NDArray> saved() {
            return lora.fileArrays();
        }

        @Override
        public Map<String, NDArray> load(Path file, NDManager manager) throws IOException {
            return lora.read(file, manager);
        }

        @Override
        public void close() {
            lora.detach();
        }
    }
}

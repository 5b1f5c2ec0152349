package dev.diffarm.finetune.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.FineTuneMethod;
import dev.diffarm.api.finetune.LoraAdapter;
import dev.diffarm.api.finetune.LoraParts;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.api.finetune.MicroBatch;
import dev.diffarm.api.finetune.Objective;
import dev.diffarm.api.finetune.PriorPreservation;
import dev.diffarm.api.finetune.TrainableModel;
import dev.diffarm.api.finetune.Training;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.pf4j.Extension;

/**
 * LoRA as kohya's {@code train_network.py} trains it: the A and B of a LoRA on the text encoder's and the UNet's linear
 * layers are the trained arrays (the base weights stay frozen), the loss is the run's objective (prior-preserving when
 * the run has class images). The result is a kohya LoRA file with {@code lora_te_} and {@code lora_unet_} modules.
 *
 * <p>Options: {@code network-dim} (rank, default 4), {@code network-alpha} (default 1), {@code lora-targets} (peft's
 * module names on the UNet, default kohya's set), {@code network-weights} (a LoRA file to start from: its modules,
 * and only they, train), {@code network-train-unet-only} and {@code network-train-text-encoder-only} ({@code true}:
 * a fresh LoRA on that part alone; default both parts, as kohya), {@code text-encoder-lr} and {@code unet-lr} (the
 * groups' base learning rates; default the run's), {@code prior-loss-weight} (default 1).
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
        Optional<LoraParts> parts = parts(options);
        OptionalDouble textEncoderLr = rate(options, "text-encoder-lr");
        OptionalDouble unetLr = rate(options, "unet-lr");
        LoraAdapter lora = options.text("network-weights")
                .map(file -> model.loadLora(Path.of(file), manager))
                .orElseGet(() -> model.createLora(parts.orElse(LoraParts.UNET_AND_TEXT_ENCODER),
                        options.list("lora-targets"), options.integer("network-dim", 4, 1),
                        (float) options.positive("network-alpha", 1.0), manager));
        if (parts.isPresent() && parts.get() != lora.parts()) {
            throw new IllegalArgumentException("--network-weights: the file has modules on " + describe(lora.parts())
                    + ", but the options ask to train " + describe(parts.get()));
        }
        return new LoraTraining(model, lora, priorLossWeight, textEncoderLr, unetLr);
    }

    /** The parts the options choose, empty if they choose none (then a fresh LoRA has both, a file decides). */
    private static Optional<LoraParts> parts(MethodOptions options) {
        boolean unetOnly = flag(options, "network-train-unet-only");
        boolean textOnly = flag(options, "network-train-text-encoder-only");
        if (unetOnly && textOnly) {
            throw new IllegalArgumentException("--network-train-unet-only: cannot be given with "
                    + "--network-train-text-encoder-only (one of them, or neither to train both)");
        }
        return unetOnly ? Optional.of(LoraParts.UNET) : textOnly ? Optional.of(LoraParts.TEXT_ENCODER) : Optional.empty();
    }

    private static boolean flag(MethodOptions options, String name) {
        String value = options.text(name, "false").strip();
        if (!value.equals("true") && !value.equals("false")) {
            throw new IllegalArgumentException("--" + name + ": expected true or false, got '" + value + "'");
        }
        return value.equals("true");
    }

    private static OptionalDouble rate(MethodOptions options, String name) {
        return options.text(name).isPresent() ? OptionalDouble.of(options.positive(name, 1)) : OptionalDouble.empty();
    }

    private static String describe(LoraParts parts) {
        return switch (parts) {
            case UNET -> "the UNet only";
            case TEXT_ENCODER -> "the text encoder only";
            case UNET_AND_TEXT_ENCODER -> "the UNet and the text encoder";
        };
    }

    private record LoraTraining(TrainableModel model, LoraAdapter lora, double priorLossWeight,
                                OptionalDouble textEncoderLr, OptionalDouble unetLr) implements Training {
        @Override
        public Map<String, NDArray> parameters() {
            return lora.parameters();
        }

        /** kohya's two groups: the text encoder's modules at {@code text-encoder-lr}, the UNet's at {@code unet-lr}. */
        @Override
        public OptionalDouble learningRate(String parameter) {
            return lora.textEncoderParameters().containsKey(parameter) ? textEncoderLr : unetLr;
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

        /** With kohya's entries for the groups' rates: the option's value, or {@code None} as kohya writes it unset. */
        @Override
        public void save(Path out, Map<String, String> metadata) throws IOException {
            Map<String, String> withRates = new LinkedHashMap<>(metadata);
            withRates.put("ss_text_encoder_lr", pythonFloat(textEncoderLr));
            withRates.put("ss_unet_lr", pythonFloat(unetLr));
            lora.write(out, withRates);
        }

        private static String pythonFloat(OptionalDouble rate) {
            if (rate.isEmpty()) {
                return "None";
            }
            String text = BigDecimal.valueOf(rate.getAsDouble()).stripTrailingZeros().toPlainString();
            return rate.getAsDouble() < 1e-4 ? Double.toString(rate.getAsDouble()).replace("E", "e")
                    : text.contains(".") ? text : text + ".0";
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

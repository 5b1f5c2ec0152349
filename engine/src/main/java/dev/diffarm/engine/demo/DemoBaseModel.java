package dev.diffarm.engine.demo;

import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.io.FileTrees;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.TensorSource;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import dev.diffarm.engine.train.FineTuneMethods;
import dev.diffarm.engine.train.FineTuneRequest;
import dev.diffarm.engine.train.FineTuneRun;
import dev.diffarm.engine.train.LrSchedule;
import dev.diffarm.engine.train.NoiseObjective;
import dev.diffarm.engine.train.StepReport;
import dev.diffarm.engine.train.TrainingSettings;
import dev.diffarm.engine.train.data.KohyaDataOptions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;

/**
 * The training demo's base model: the {@link DemoModel} with the {@link PixelVae}, whose random UNet is first given a
 * short full fine-tune (the {@code dreambooth} method: every UNet tensor trained) on the {@link PretrainingImages}, so
 * that it can denoise plain pictures named by their colours. A LoRA trained on it then has a model to change rather
 * than noise to fight. Written once into its folder (a diffusers folder, usable with {@code diffarm render}) and kept
 * while its {@link #MARKER} file names the same pre-training.
 */
public final class DemoBaseModel {
    /** The file in the model's folder that says how its UNet was pre-trained. */
    static final String MARKER = "pretraining.txt";

    /**
     * How the UNet is pre-trained, and the schedule it is trained for.
     *
     * @param steps        optimizer steps
     * @param batchSize    pictures per step
     * @param learningRate AdamW's peak learning rate (cosine decay after a warm-up of a tenth of the steps)
     * @param prediction   what the UNet learns to predict (the model's {@code prediction_type}; its LoRAs the same)
     * @param betaEnd      the training schedule's last noise level, diffusers' {@code beta_end}
     */
    record Pretraining(int steps, int batchSize, double learningRate, NoiseObjective.Prediction prediction,
                       double betaEnd) {
        static final Pretraining DEFAULT = new Pretraining(150, 16, 4e-3, NoiseObjective.Prediction.V_PREDICTION, 0.012);
        private static final long SEED = 11;

        TrainingSettings settings() {
            return new TrainingSettings(learningRate, LrSchedule.COSINE, steps / 10, steps, batchSize, 1,
                    1.0, SEED, true, prediction, OptionalDouble.empty(), 0);
        }

        /** The scheduler config's settings that differ from the render demo model's. */
        Map<String, Object> scheduler() {
            return Map.of("beta_end", betaEnd, "prediction_type",
                    prediction == NoiseObjective.Prediction.V_PREDICTION ? "v_prediction" : "epsilon");
        }

        String describe() {
            return "full UNet fine-tune from residual branches at 0 on " + PretrainingImages.all().size()
                    + " pictures: " + steps + " steps, batch " + batchSize + ", cosine learning rate " + learningRate + ", "
                    + prediction + ", beta_end " + betaEnd + ", seed " + SEED + "\n";
        }
    }

    /** The pre-training's optimizer steps. */
    public static final int PRETRAINING_STEPS = Pretraining.DEFAULT.steps();

    private DemoBaseModel() {
    }

    /**
     * The pre-trained model in {@code dir}, made there first unless it is already there.
     *
     * @param methods  provides the {@code dreambooth} method
     * @param progress told of every pre-training step (none when the model is already there)
     */
    public static Path ensure(Path dir, FineTuneMethods methods, Consumer<StepReport> progress) throws IOException {
        return ensure(dir, methods, Pretraining.DEFAULT, progress);
    }

    static Path ensure(Path dir, FineTuneMethods methods, Pretraining pretraining, Consumer<StepReport> progress)
            throws IOException {
        if (isMadeBy(dir, pretraining)) {
            return dir;
        }
        // a folder of this process's own: two runs sharing the model's folder (tests of two builds) may pre-train at once
        Path work = dir.resolveSibling(dir.getFileName() + ".pretraining-" + ProcessHandle.current().pid());
        FileTrees.delete(work);
        Path model = DemoModel.ensureWithPixelVae(work.resolve("model"), pretraining.scheduler());
        Path data = PretrainingImages.write(work.resolve("data"));
        Path checkpoint = work.resolve("pretrained.safetensors");
        try (StableDiffusion random = StableDiffusion.load(model, Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment())) {
            FineTuneRun.run(random, methods, new FineTuneRequest("dreambooth", new MethodOptions(Map.of()), data,
                    Optional.empty(), Optional.empty(), pretraining.settings(), checkpoint, 0, false, Optional.empty(),
                    "sd_v1", KohyaDataOptions.DEFAULTS), progress, (step, folder) -> { });
        }
        replaceUNet(model, checkpoint);
        Files.writeString(model.resolve(MARKER), pretraining.describe(), StandardCharsets.UTF_8);
        if (!isMadeBy(dir, pretraining)) {
            FileTrees.delete(dir);
            try {
                Files.move(model, dir);
            } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
                if (!isMadeBy(dir, pretraining)) {
                    throw e;
                }
            }
        }
        FileTrees.delete(work);
        return dir;
    }

    /** Whether {@code dir} holds a complete model pre-trained as {@code pretraining} says. */
    private static boolean isMadeBy(Path dir, Pretraining pretraining) throws IOException {
        Path marker = dir.resolve(MARKER);
        return Files.isRegularFile(marker) && Files.readString(marker).equals(pretraining.describe());
    }

    /** The UNet of the single-file {@code checkpoint} as the diffusers folder {@code model}'s UNet weights. */
    private static void replaceUNet(Path model, Path checkpoint) throws IOException {
        try (ModelFiles files = ModelFiles.open(checkpoint, Optional.of(model));
             NDManager manager = NDManager.newBaseManager()) {
            TensorSource unet = files.unet().tensors();
            SafetensorsWriter writer = new SafetensorsWriter();
            for (String key : unet.keys()) {
                writer.add(key, unet.load(key, manager));
            }
            writer.write(model.resolve("unet/diffusion_pytorch_model.safetensors"));
        }
    }
}

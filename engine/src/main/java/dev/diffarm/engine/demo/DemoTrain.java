package dev.diffarm.engine.demo;

import dev.diffarm.api.Progress;
import dev.diffarm.api.finetune.LoraParts;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.train.LoraTargetModules;
import dev.diffarm.engine.train.LoraTrainingRun;
import dev.diffarm.engine.train.LrSchedule;
import dev.diffarm.engine.train.NoiseObjective;
import dev.diffarm.engine.train.StepReport;
import dev.diffarm.engine.train.TrainingSettings;
import dev.diffarm.engine.train.data.KohyaDataOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Consumer;
import java.util.stream.IntStream;

/**
 * The training demo: draws {@link MotifImages}, trains a LoRA from them on the {@link DemoBaseModel} (the demo model
 * whose UNet first learned to denoise plain backgrounds), and renders the same prompts and seeds without and with the
 * LoRA onto one {@link ComparisonSheet}. Everything lives under one home folder: {@code model/} (pre-trained once),
 * {@code data/}, {@code loras/zwx.safetensors} and {@code demo-train.png}.
 */
public final class DemoTrain {
    /** The LoRA's name: the file {@code loras/zwx.safetensors}, the tag {@code <lora:zwx:1>}. */
    public static final String LORA_NAME = "zwx";
    /** The demo's optimizer steps of the LoRA. */
    public static final int DEFAULT_STEPS = 600;
    private static final long TRAIN_SEED = 7;

    /**
     * How the LoRA is trained (AdamW, cosine decay after a warm-up of a tenth of the steps).
     *
     * @param steps        optimizer steps
     * @param batchSize    pictures per step
     * @param learningRate the peak learning rate
     * @param rank         the LoRA's rank (its alpha is the same: scale 1)
     */
    record LoraTraining(int steps, int batchSize, double learningRate, int rank) {
        LoraTraining {
            if (steps < 1) {
                throw new IllegalArgumentException("steps: expected at least 1, got " + steps);
            }
        }

        static LoraTraining withSteps(int steps) {
            return new LoraTraining(steps, 6, 5e-3, 32);
        }
    }
    private static final int RENDER_STEPS = 20;
    /** No guidance: the LoRA learned the captions' prediction only, the empty prompt's stays the random model's. */
    private static final double CFG = 1.0;

    /** A column of the sheet: a training image's background (its caption is the prompt) and the render's seed. */
    record Column(MotifImages.Background background, long seed) {
        String prompt() {
            return background.caption();
        }
    }

    /** Every training picture's caption, each with its own seed. */
    static final List<Column> COLUMNS = IntStream.range(0, MotifImages.BACKGROUNDS.size())
            .mapToObj(i -> new Column(MotifImages.BACKGROUNDS.get(i), i + 1)).toList();

    /**
     * What the demo made.
     *
     * @param sheet       the comparison PNG
     * @param lora        the trained LoRA
     * @param base        the renders without the LoRA, one per column
     * @param withLora    the same prompts and seeds with it
     */
    public record Result(Path sheet, Path lora, List<RgbImage> base, List<RgbImage> withLora) {
    }

    /**
     * Told of the training steps.
     *
     * @param pretraining each step of the base model's pre-training (only on the run that makes it)
     * @param lora        each step of the LoRA's training
     */
    public record StepListeners(Consumer<StepReport> pretraining, Consumer<StepReport> lora) {
    }

    private DemoTrain() {
    }

    /**
     * Runs the demo in {@code home}.
     *
     * @param samplers the samplers to render with (the demo uses {@code Euler})
     * @param steps    optimizer steps
     * @param progress told of every training step
     */
    public static Result run(Path home, SamplerPlugins plugins, int steps, StepListeners progress) throws IOException {
        return run(home, home.resolve("model"), plugins, steps, progress);
    }

    /**
     * Runs the demo in {@code home} with the base model in {@code baseModel} (pre-trained there first unless it is
     * there already), which may be shared by several homes.
     */
    public static Result run(Path home, Path baseModel, SamplerPlugins plugins, int steps, StepListeners progress)
            throws IOException {
        return run(home, baseModel, plugins, DemoBaseModel.Pretraining.DEFAULT, LoraTraining.withSteps(steps), progress);
    }

    static Result run(Path home, Path baseModel, SamplerPlugins plugins, DemoBaseModel.Pretraining pretraining,
                      LoraTraining training, StepListeners progress) throws IOException {
        Path modelDir = DemoBaseModel.ensure(baseModel, plugins.fineTuneMethods(), pretraining,
                progress.pretraining());
        Path data = MotifImages.write(home.resolve("data"));
        Path loraDir = home.resolve("loras");
        Path lora = loraDir.resolve(LORA_NAME + ".safetensors");
        Files.createDirectories(loraDir);
        try (StableDiffusion model = StableDiffusion.load(modelDir, Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment())) {
            LoraTrainingRun.run(model, plugins.fineTuneMethods(), request(data, lora, training, pretraining.prediction()),
                    progress.lora(), (step, folder) -> { });
            Generator generator = new Generator(plugins, EmbeddingLibrary.none(), Optional.of(loraDir));
            String modelHash = ModelHash.shortHash(model.path());
            List<RgbImage> base = new ArrayList<>();
            List<RgbImage> withLora = new ArrayList<>();
            for (Column column : COLUMNS) {
                base.add(render(generator, model, modelHash, column.prompt(), column.seed()));
                withLora.add(render(generator, model, modelHash,
                        column.prompt() + " <lora:" + LORA_NAME + ":1>", column.seed()));
            }
            List<RgbImage> pictures = COLUMNS.stream().map(c -> MotifImages.draw(c.background())).toList();
            Path sheet = home.resolve("demo-train.png");
            ComparisonSheet.write(COLUMNS.stream().map(c -> "seed " + c.seed() + ": " + c.background().name()).toList(),
                    List.of(new ComparisonSheet.Row("training", pictures), new ComparisonSheet.Row("base", base),
                            new ComparisonSheet.Row("with LoRA", withLora)), sheet);
            return new Result(sheet, lora, base, withLora);
        }
    }

    private static LoraTrainingRun.Request request(Path data, Path lora, LoraTraining training,
                                                   NoiseObjective.Prediction prediction) {
        TrainingSettings settings = new TrainingSettings(training.learningRate(), LrSchedule.COSINE,
                training.steps() / 10, training.steps(), training.batchSize(), 1, 1.0, TRAIN_SEED, true, prediction,
                OptionalDouble.empty(), 0);
        return new LoraTrainingRun.Request(data, Optional.empty(), LoraTargetModules.kohyaDefault(), training.rank(),
                training.rank(), settings, lora, 0, false, Optional.empty(), "sd_v1", KohyaDataOptions.DEFAULTS,
                // The UNet alone, as the demo was measured: the motif is a picture's, not a word's.
                LoraParts.UNET);
    }

    private static RgbImage render(Generator generator, StableDiffusion model, String modelHash, String prompt, long seed)
            throws IOException {
        GenerationRequest request = new GenerationRequest(prompt, "", "Euler", RENDER_STEPS, CFG, seed,
                MotifImages.SIDE, MotifImages.SIDE, 1, 1, Emphasis.ORIGINAL);
        return generator.generate(model, modelHash, request, Progress.NONE).images().get(0).pixels();
    }
}

package dev.diffarm.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.finetune.MicroBatch;
import dev.diffarm.api.finetune.Objective;
import dev.diffarm.api.finetune.Training;
import dev.diffarm.engine.model.ArchitectureShapes;
import dev.diffarm.engine.model.FreshWeights;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.train.Draws;
import dev.diffarm.engine.train.FineTuneLoop;
import dev.diffarm.engine.train.FixedBatch;
import dev.diffarm.engine.train.LoraNetwork;
import dev.diffarm.engine.train.LoraTargetModules;
import dev.diffarm.engine.train.LrSchedule;
import dev.diffarm.engine.train.NoiseObjective;
import dev.diffarm.engine.train.StepReport;
import dev.diffarm.engine.train.TrainingSettings;
import dev.diffarm.engine.unet.CheckpointedForward;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Times LoRA training steps on the SD 1.5 UNet with fresh random weights: batch 1, a LoRA of the given rank on every
 * attention projection ({@code to_q,to_k,to_v,to_out.0}), one forward and backward pass and an AdamW step per
 * optimizer step; beside it one inference UNet pass of the same batch. Prints {@code key=value} lines (medians) and
 * the process's peak resident memory, over the whole run and over the training steps alone ({@code train_peak_rss_mb},
 * the peak reset before them where Linux allows it). With gradient checkpointing the UNet's steps are recomputed in
 * the backward pass ({@link CheckpointedForward}).
 */
public final class TrainBenchmark {
    private final int width;
    private final int height;
    private final int rank;
    private final int iterations;
    private final boolean gradientCheckpointing;
    private final PrintStream out;

    public TrainBenchmark(int width, int height, int rank, int iterations, PrintStream out) {
        this(width, height, rank, iterations, false, out);
    }

    public TrainBenchmark(int width, int height, int rank, int iterations, boolean gradientCheckpointing,
                          PrintStream out) {
        ModelBenchmark.requireImageSize(width, height);
        if (iterations < 1 || rank < 1) {
            throw new IllegalArgumentException("bench: expected at least 1 iteration and rank 1, got " + iterations
                    + " and " + rank);
        }
        this.width = width;
        this.height = height;
        this.rank = rank;
        this.iterations = iterations;
        this.gradientCheckpointing = gradientCheckpointing;
        this.out = out;
    }

    public void run() {
        UNetConfig config = Sd15Architecture.unet();
        int factor = Sd15Architecture.vae().scaleFactor();
        long h = height / factor;
        long w = width / factor;
        out.printf("arch=sd15 train=lora width=%d height=%d latent=%dx%d rank=%d batch=1 iters=%d threads=%d "
                + "gradient_checkpointing=%b%n", width, height, w, h, rank, iterations,
                Runtime.getRuntime().availableProcessors(), gradientCheckpointing);
        try (NDManager manager = NDManager.newBaseManager()) {
            Weights weights = new Weights(new FreshWeights(ArchitectureShapes.unet(config), 1.0, "SD 1.5 UNet"), manager);
            UNet2DConditionModel unet = new UNet2DConditionModel(weights, config);
            NDArray latents = manager.randomNormal(new Shape(1, 4, h, w)).mul(0.18215f);
            NDArray text = manager.randomNormal(new Shape(1, Sd15Architecture.TEXT_TOKENS, Sd15Architecture.TEXT_WIDTH));
            double[] inference = new double[iterations];
            for (int i = -1; i < iterations; i++) {
                try (NDScope scope = new NDScope()) {
                    long start = System.nanoTime();
                    unet.forward(latents, 500f, text).toFloatArray();
                    if (i >= 0) {
                        inference[i] = (System.nanoTime() - start) / 1e6;
                    }
                }
            }
            TorchGenerator generator = new TorchGenerator(0);
            TrainingSettings settings = new TrainingSettings(1e-4, LrSchedule.CONSTANT, 0, iterations + 1, 1, 1, 1.0, 0,
                    false, NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(), 0);
            NoiseObjective objective = new NoiseObjective(NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(),
                    linearAlphas());
            Optional<CheckpointedForward> checkpoints = gradientCheckpointing ? Optional.of(new CheckpointedForward())
                    : Optional.empty();
            boolean peakReset = ProcessMemory.resetPeak();
            try (LoraNetwork lora = LoraNetwork.create(weights.layers(),
                    LoraTargetModules.peft(List.of("to_q", "to_k", "to_v", "to_out.0")), rank, rank, generator, manager);
                 FineTuneLoop trainer = new FineTuneLoop(new LoraOnUNet(unet, lora, text, checkpoints),
                         new FixedBatch(latents, List.of("")), false, settings, objective, Draws.of(generator), 1000,
                         manager, checkpoints)) {
                out.printf("lora_layers=%d lora_parameters=%d%n", lora.paths().size(),
                        lora.parameters().stream().mapToLong(NDArray::size).sum());
                double[] train = new double[iterations];
                for (int i = -1; i < iterations; i++) {
                    long start = System.nanoTime();
                    StepReport report = trainer.step();
                    double ms = (System.nanoTime() - start) / 1e6;
                    if (i >= 0) {
                        train[i] = ms;
                        out.printf("train_iter%d_ms=%.1f loss=%.5f%n", i, ms, report.loss());
                    }
                }
                out.printf("unet_forward_ms=%.1f%n", Median.of(inference));
                out.printf("train_ms_per_step=%.1f%n", Median.of(train));
                out.printf("peak_rss_mb=%d%n", ProcessMemory.peakResidentMegabytes());
                if (peakReset) {
                    out.printf("train_peak_rss_mb=%d%n", ProcessMemory.peakResidentMegabytes());
                }
            }
        }
    }

    /** The LoRA method's step on a bare UNet, under fixed text embeddings (the text encoder's cost is not timed). */
    private record LoraOnUNet(UNet2DConditionModel unet, LoraNetwork lora, NDArray text,
                              Optional<CheckpointedForward> checkpoints) implements Training {
        @Override
        public Map<String, NDArray> parameters() {
            Map<String, NDArray> out = new LinkedHashMap<>();
            List<NDArray> arrays = lora.parameters();
            for (int i = 0; i < arrays.size(); i++) {
                out.put(lora.paths().get(i / 2) + (i % 2 == 0 ? ".down" : ".up"), arrays.get(i));
            }
            return out;
        }

        @Override
        public void beforeStep() {
            lora.attach();
        }

        @Override
        public NDArray loss(MicroBatch batch, Objective objective) {
            float[] t = new float[batch.timesteps().length];
            for (int i = 0; i < t.length; i++) {
                t[i] = batch.timesteps()[i];
            }
            NDArray prediction = checkpoints.map(c -> unet.forward(batch.noisy(), t, text, c))
                    .orElseGet(() -> unet.forward(batch.noisy(), t, text));
            return objective.loss(prediction, batch.target(), batch.timesteps());
        }

        @Override
        public void afterStep() {
            lora.detach();
        }

        @Override
        public void save(Path out, Map<String, String> metadata) {
            throw new UnsupportedOperationException("the benchmark saves nothing");
        }

        @Override
        public Map<String, NDArray> saved() {
            return Map.of();
        }

        @Override
        public Map<String, NDArray> load(Path file, NDManager manager) {
            return Map.of();
        }

        @Override
        public void close() {
            lora.detach();
        }
    }

    /** A stand-in schedule (the timestep's noise level does not change the work). */
    private static float[] linearAlphas() {
        float[] abar = new float[1000];
        for (int t = 0; t < abar.length; t++) {
            abar[t] = 1f - (t + 1) / 1001f;
        }
        return abar;
    }
}

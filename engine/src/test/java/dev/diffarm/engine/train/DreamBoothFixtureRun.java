package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.api.finetune.Training;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.schedule.TrainingSchedule;
import dev.diffarm.engine.testing.TestSamplers;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * The DreamBooth step of {@code train-dreambooth-step.safetensors} as the farm runs it: the {@code dreambooth} plugin
 * in the engine's {@link FineTuneLoop}, on the fixture's batch (two instance examples, two class examples, their
 * latents and prompts) with its recorded noise and timesteps.
 */
final class DreamBoothFixtureRun implements AutoCloseable {
    static final List<String> CAPTIONS = List.of("a photo of zwx person", "a photo of zwx person",
            "a photo of a person", "a photo of a person");
    final HostModel host;
    final Training training;
    final FineTuneLoop loop;
    final RecordedDraws draws;

    DreamBoothFixtureRun(StableDiffusion model, SafetensorsFile step, double lr, NDManager manager) {
        NoiseObjective objective = objective(model);
        TrainingSettings settings = new TrainingSettings(lr, LrSchedule.CONSTANT, 0, 1, 2, 1, 1.0, 0, false,
                NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(), 0);
        this.draws = new RecordedDraws().normal(step, "noise").integers(step, "timesteps");
        this.host = new HostModel(model, new TorchGenerator(0), manager);
        this.training = TestSamplers.plugins().fineTuneMethods().named("dreambooth").start(host,
                new MethodOptions(Map.of("prior-loss-weight", "1.0")), manager);
        this.loop = new FineTuneLoop(training, new FixedBatch(step.load("latents", manager), CAPTIONS), true, settings,
                objective, draws, 1000, manager);
    }

    static NoiseObjective objective(StableDiffusion model) {
        return new NoiseObjective(NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(),
                TrainingSchedule.of(model.schedulerConfig("DDPMScheduler", Map.of())).alphasCumprod());
    }

    @Override
    public void close() {
        loop.close();
        training.close();
    }

    /** The same batch every time. */
    private record FixedBatch(NDArray latents, List<String> captions) implements TrainingExamples {
        @Override
        public int images() {
            return 2;
        }

        @Override
        public Batch next(int batchSize, Draws draws, NDManager manager) {
            return new Batch(latents, captions);
        }

        @Override
        public long[] position() {
            return new long[0];
        }

        @Override
        public void restore(long[] position) {
        }

        @Override
        public Map<String, Map<String, Integer>> tagFrequency() {
            return Map.of();
        }

        @Override
        public void close() {
        }
    }
}

package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.MicroBatch;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.schedule.TrainingSchedule;
import dev.diffarm.engine.testing.Fixtures;
import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;

/**
 * One fixed micro-batch for the fine-tune tests: the first two images of {@code train-data/} on the tiny model,
 * epsilon objective, timesteps 120 and 640, the posterior and the noise drawn from a generator seeded 5.
 *
 * @param generator the generator after those draws (a method's own draws continue it)
 */
record TinyBatch(MicroBatch batch, NoiseObjective objective, TorchGenerator generator) {
    static TinyBatch of(StableDiffusion model, NDManager manager, List<String> captions, int priorExamples) {
        TorchGenerator generator = new TorchGenerator(5);
        Draws draws = Draws.of(generator);
        List<CaptionedImages.Example> images = CaptionedImages.read(Fixtures.sdTiny("train-data")).subList(0, 2);
        NDArray latents;
        try (CachedExamples examples = CachedExamples.encode(model, "train-data", images, false, draws, manager)) {
            latents = examples.latents().duplicate();
        }
        NoiseObjective objective = new NoiseObjective(NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(),
                TrainingSchedule.of(model.schedulerConfig("DDPMScheduler", Map.of())).alphasCumprod());
        long[] timesteps = {120, 640};
        NDArray noise = draws.randn(manager, latents.getShape());
        MicroBatch batch = new MicroBatch(objective.addNoise(latents, noise, timesteps),
                objective.target(latents, noise, timesteps), timesteps, captions, priorExamples);
        return new TinyBatch(batch, objective, generator);
    }
}

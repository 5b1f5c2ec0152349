package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.demo.DemoModel;
import dev.diffarm.engine.demo.MotifImages;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.pipeline.GuidedDenoiser;
import dev.diffarm.engine.pipeline.PromptEncoder;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.schedule.Schedule;
import dev.diffarm.engine.schedule.TrainingSchedule;
import dev.diffarm.engine.testing.TestSamplers;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * What training teaches is what rendering asks: for a training picture's latent noised at the timestep of a render
 * step, the UNet's one-step estimate of the clean latent is the same whether it comes from the training forward
 * (diffusers' {@code add_noise}, the caption encoded as the trainer encodes it, the integer timestep, the training
 * schedule's ᾱ) or from the render path's denoiser (the sampler's sigma and its timestep, the sigma-form latent scaled
 * to the UNet's input, the prompt encoded as renders encode it, guidance 1). A difference in the noise schedule, the
 * timestep convention, the input scaling, the prediction type's arithmetic or the text encoding would show here.
 */
class TrainRenderConsistencyTest {
    private static final int RENDER_STEPS = 20;
    /** float32 arithmetic along two routes: the sqrt and division orders differ. */
    private static final double TOLERANCE = 1e-4;

    @TempDir
    Path home;

    @ParameterizedTest
    @EnumSource(NoiseObjective.Prediction.class)
    void theTrainingForwardAndTheRenderDenoiserEstimateTheSameCleanLatent(NoiseObjective.Prediction prediction)
            throws Exception {
        String predictionType = prediction == NoiseObjective.Prediction.EPSILON ? "epsilon" : "v_prediction";
        Path dir = DemoModel.ensureWithPixelVae(home.resolve("model"), Map.of("prediction_type", predictionType));
        String caption = MotifImages.BACKGROUNDS.get(0).caption();
        try (StableDiffusion model = StableDiffusion.load(dir, Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment()); NDManager manager = NDManager.newBaseManager()) {
            TrainingSchedule training = TrainingSchedule.of(model.schedulerConfig("DDPMScheduler", Map.of()));
            NoiseObjective objective = new NoiseObjective(prediction, OptionalDouble.empty(), training.alphasCumprod());
            Schedule render = model.schedule(TestSamplers.sampler("Euler"), Optional.empty(), RENDER_STEPS);
            NDArray pixels = MotifImages.draw(MotifImages.BACKGROUNDS.get(0)).toNDArray(manager).expandDims(0)
                    .mul(2f).sub(1f);
            NDArray latents = model.vae().encode(pixels).mean().mul((float) model.vae().config().scalingFactor());
            NDArray noise = manager.create(new TorchGenerator(5).randn(latents.getShape().getShape()), latents.getShape());

            HostModel host = new HostModel(model, new TorchGenerator(1), manager);
            NDArray trainingText = host.encode(List.of(caption));
            PromptEncoder prompts = new PromptEncoder(model.tokenizer(), model.textModel(), EmbeddingLibrary.none());
            NDArray renderText = prompts.encode(manager, caption, Emphasis.ORIGINAL, 1);
            double textDifference = maxAbs(trainingText.sub(renderText));
            System.out.printf("%s: caption encodings, max abs difference %.3g%n", prediction, textDifference);
            assertEquals(0, textDifference, TOLERANCE, "the trainer and the renderer encode the caption alike");

            NDArray uncond = prompts.encode(manager, "", Emphasis.ORIGINAL, 1);
            GuidedDenoiser denoiser = new GuidedDenoiser(model.unet(), uncond, renderText, 1.0,
                    sigma -> (float) render.timestepOf(sigma)).withPrediction(model.prediction());
            for (int step : new int[] {0, RENDER_STEPS / 2, RENDER_STEPS - 1}) {
                int t = (int) render.timestep(step);
                assertEquals(t, render.timestep(step), 0.0, "an Euler step of the leading spacing is at a whole timestep");
                double abar = training.alphaCumprod(t);
                double sigma = render.sigmas().get(step);
                assertEquals(Math.sqrt((1 - abar) / abar), sigma, 1e-5 * sigma,
                        "step " + step + ": the sampler's sigma is the training schedule's at its timestep " + t);

                long[] timesteps = {t};
                NDArray noisy = objective.addNoise(latents, noise, timesteps);
                NDArray output = host.predict(noisy, timesteps, trainingText);
                NDArray fromTraining = cleanLatent(prediction, noisy, output, (float) abar);

                NDArray x = latents.add(noise.mul((float) sigma));
                NDArray fromRender = denoiser.denoise(x, sigma);
                double difference = maxAbs(fromTraining.sub(fromRender));
                double scale = maxAbs(fromTraining);
                System.out.printf("%s: step %d (t %d, sigma %.4f): clean-latent estimates, max abs difference %.3g "
                        + "(of max %.3g)%n", prediction, step, t, sigma, difference, scale);
                assertTrue(difference <= TOLERANCE * Math.max(1, scale), "step " + step + " (t " + t
                        + "): the training forward's and the render denoiser's estimates differ by " + difference);
            }
        }
    }

    /** The clean latent a training prediction implies: diffusers' {@code pred_original_sample}. */
    private static NDArray cleanLatent(NoiseObjective.Prediction prediction, NDArray noisy, NDArray output, float abar) {
        float a = (float) Math.sqrt(abar);
        float b = (float) Math.sqrt(1 - abar);
        return prediction == NoiseObjective.Prediction.EPSILON ? noisy.sub(output.mul(b)).div(a)
                : noisy.mul(a).sub(output.mul(b));
    }

    private static double maxAbs(NDArray a) {
        return a.abs().max().getFloat();
    }
}

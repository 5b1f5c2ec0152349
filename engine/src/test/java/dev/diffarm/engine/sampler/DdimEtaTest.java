package dev.diffarm.engine.sampler;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.schedule.Schedule;
import dev.diffarm.engine.schedule.SchedulerConfig;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.TestSamplers;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * DDIM with eta (its plugin's, with the eta given through the registry), which no reference run covers, against
 * diffusers' DDIMScheduler.step written out in its own variance-preserving terms (alphas_cumprod, the variance of
 * eq. 16 of Song et al.), in float64, on SD 1.5's schedule, with the denoiser of N(0, 1) data
 * ({@code x0 = x / (1 + sigma^2)}) and the same noise draws.
 */
class DdimEtaTest {
    /** The exact denoiser of N(0, 1) data. */
    private static final Denoiser GAUSSIAN_DATA = (x, sigma) -> x.div((float) (1 + sigma * sigma));
    private static final Shape SHAPE = new Shape(1, 4, 5, 3);
    private static final long SEED = 1234;

    @ParameterizedTest
    @ValueSource(doubles = {0, 0.3, 1})
    void matchesDiffusersStepInItsOwnTerms(double eta) {
        Schedule schedule = Schedule.of(SchedulerConfig.sd15("DDIMScheduler", Map.of()), 10);
        double[] sigmas = schedule.sigmas().toArray();
        try (NDManager manager = NDManager.newBaseManager()) {
            TorchGenerator generator = new TorchGenerator(SEED);
            NDArray start = generator.next(manager, SHAPE).mul((float) schedule.initNoiseSigma());
            int[] draws = {0};
            NoiseSource counted = (m, shape) -> {
                draws[0]++;
                return generator.next(m, shape);
            };
            SamplerRegistry registry = TestSamplers.registry();
            Sampler ddim = registry.sampler(registry.resolve("DDIM", Optional.empty()), OptionalDouble.of(eta));
            NDArray sampled = ddim.sample(GAUSSIAN_DATA, start, schedule.sigmas(), counted, Progress.NONE);

            float[] expected = diffusersDdim(start.toFloatArray(), sigmas, eta, new TorchGenerator(SEED), manager);
            Parity.assertClose("DDIM eta " + eta, expected, sampled.toFloatArray(), 1e-5);
            assertEquals(eta == 0 ? 0 : sigmas.length - 1, draws[0], "noise draws: one per step when eta > 0");
        }
    }

    /** diffusers' DDIM loop on the VP latent, returned in sigma form; {@code generator} has drawn nothing yet. */
    private static float[] diffusersDdim(float[] sigmaFormStart, double[] sigmas, double eta, TorchGenerator generator,
                                         NDManager manager) {
        generator.next(manager, SHAPE);
        double[] sample = new double[sigmaFormStart.length];
        for (int k = 0; k < sample.length; k++) {
            sample[k] = sigmaFormStart[k] * Math.sqrt(alphaCumprod(sigmas[0]));
        }
        for (int i = 0; i + 1 < sigmas.length; i++) {
            double alphaProd = alphaCumprod(sigmas[i]);
            double alphaProdPrev = alphaCumprod(sigmas[i + 1]);
            double variance = (1 - alphaProdPrev) / (1 - alphaProd) * (1 - alphaProd / alphaProdPrev);
            double std = eta * Math.sqrt(variance);
            float[] noise = eta > 0 ? generator.next(manager, SHAPE).toFloatArray() : null;
            for (int k = 0; k < sample.length; k++) {
                double x = sample[k] / Math.sqrt(alphaProd);
                double modelOutput = (x - x / (1 + sigmas[i] * sigmas[i])) / sigmas[i];
                double predOriginal = (sample[k] - Math.sqrt(1 - alphaProd) * modelOutput) / Math.sqrt(alphaProd);
                double direction = Math.sqrt(1 - alphaProdPrev - std * std) * modelOutput;
                sample[k] = Math.sqrt(alphaProdPrev) * predOriginal + direction + (noise == null ? 0 : std * noise[k]);
            }
        }
        float[] sigmaForm = new float[sample.length];
        for (int k = 0; k < sample.length; k++) {
            sigmaForm[k] = (float) (sample[k] / Math.sqrt(alphaCumprod(sigmas[sigmas.length - 1])));
        }
        return sigmaForm;
    }

    private static double alphaCumprod(double sigma) {
        return 1 / (1 + sigma * sigma);
    }
}

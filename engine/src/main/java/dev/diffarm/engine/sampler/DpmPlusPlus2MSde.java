package dev.diffarm.engine.sampler;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;

/**
 * The stochastic DPM-Solver++(2M) (Lu et al. 2022; k-diffusion's {@code sample_dpmpp_2m_sde} with {@code eta = 1},
 * diffusers' DPMSolverMultistepScheduler with {@code algorithm_type = sde-dpmsolver++}, midpoint):
 * {@code x_next = r^2 x + (1 - r^2) D + sigma_next sqrt(1 - r^2) z} with {@code r = sigma_next / sigma}, where
 * {@code D} is {@link DpmPlusPlus2M}'s estimate and {@code z} fresh noise, one tensor drawn per step.
 */
public final class DpmPlusPlus2MSde implements Sampler {
    @Override
    public String name() {
        return "DPM++ 2M SDE";
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        try (History outputs = new History(1)) {
            return StepLoop.run(x, sigmas, progress, (i, xi) -> {
                double sigma = sigmas.get(i);
                double next = sigmas.get(i + 1);
                NDArray denoised = denoiser.denoise(xi, sigma);
                NDArray target = DpmSolverPlusPlus.estimate(i, sigmas, denoised, outputs);
                outputs.push(denoised);
                NDArray z = noise.next(xi.getManager(), xi.getShape());
                double decay = (next / sigma) * (next / sigma);
                return xi.mul((float) decay).add(target.mul((float) (1 - decay)))
                        .add(z.mul((float) (next * Math.sqrt(1 - decay))));
            });
        }
    }
}

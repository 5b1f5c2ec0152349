package dev.diffarm.samplers.k;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.sampling.History;
import dev.diffarm.api.sampling.StepLoop;
import java.util.List;
import org.pf4j.Extension;

/**
 * DPM-Solver++(2M) (Lu et al. 2022; k-diffusion's {@code sample_dpmpp_2m}, diffusers' DPMSolverMultistepScheduler
 * with {@code algorithm_type = dpmsolver++}, midpoint): {@code x_next = r x + (1 - r) D} with
 * {@code r = sigma_next / sigma}, where {@code D} is the denoised latent, extrapolated in log sigma from the
 * previous model output on second-order steps ({@link DpmSolverPlusPlus}).
 */
@Extension
public final class DpmPlusPlus2M implements Sampler {
    @Override
    public String name() {
        return "DPM++ 2M";
    }

    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("DPMSolverMultistepScheduler");
    }

    @Override
    public List<String> aliases() {
        return List.of("sample_dpmpp_2m");
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
                return DpmSolverPlusPlus.step(xi, target, sigma, next);
            });
        }
    }
}

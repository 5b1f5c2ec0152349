package dev.diffarm.samplers.k;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.sampling.Ode;
import dev.diffarm.api.sampling.StepLoop;
import java.util.List;
import org.pf4j.Extension;

/**
 * Euler's method on the probability-flow ODE (Karras et al. 2022, k-diffusion's {@code sample_euler}):
 * {@code x_next = x + (sigma_next - sigma) d}.
 *
 * <p>diffusers' EulerDiscreteScheduler draws the noise of its "churn" at every step even when {@code s_churn = 0}
 * and then discards it; this sampler draws and discards the same tensors, so that a job's noise stream stays in
 * step with the reference.
 */
@Extension
public final class Euler implements Sampler {
    @Override
    public String name() {
        return "Euler";
    }

    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("EulerDiscreteScheduler");
    }

    @Override
    public List<String> aliases() {
        return List.of("sample_euler");
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        return StepLoop.run(x, sigmas, progress, (i, xi) -> {
            double sigma = sigmas.get(i);
            NDArray d = Ode.derivative(xi, denoiser.denoise(xi, sigma), sigma);
            noise.next(xi.getManager(), xi.getShape());
            return Ode.euler(xi, d, sigmas.get(i + 1) - sigma);
        });
    }
}

package dev.diffarm.engine.sampler;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;

/**
 * Ancestral DPM-Solver-2 ("DPM2 a", k-diffusion's {@code sample_dpm_2_ancestral}): a {@link Dpm2} step down to
 * {@code sigma_down}, then fresh noise of size {@code sigma_up} (see {@link AncestralStep}). The last step, to
 * sigma 0, is an Euler step.
 *
 * <p>diffusers' KDPM2AncestralDiscreteScheduler draws a tensor at each of its model calls and uses only the one
 * of the midpoint call; this sampler draws the same tensors in the same order, so that a job's noise stream stays
 * in step with the reference.
 */
public final class Dpm2Ancestral implements Sampler {
    @Override
    public String name() {
        return "DPM2 a";
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        return StepLoop.run(x, sigmas, progress, (i, xi) -> {
            double sigma = sigmas.get(i);
            AncestralStep split = AncestralStep.of(sigma, sigmas.get(i + 1), 1);
            NDArray d = Ode.derivative(xi, denoiser.denoise(xi, sigma), sigma);
            noise.next(xi.getManager(), xi.getShape());
            if (split.down() == 0) {
                return Ode.euler(xi, d, -sigma);
            }
            double mid = Ode.logMidpoint(sigma, split.down());
            NDArray atMid = Ode.euler(xi, d, mid - sigma);
            NDArray dMid = Ode.derivative(atMid, denoiser.denoise(atMid, mid), mid);
            NDArray fresh = noise.next(xi.getManager(), xi.getShape());
            return Ode.euler(xi, dMid, split.down() - sigma).add(fresh.mul((float) split.up()));
        });
    }
}

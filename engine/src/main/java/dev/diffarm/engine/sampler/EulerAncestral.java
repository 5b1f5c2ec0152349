package dev.diffarm.engine.sampler;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;

/**
 * Ancestral Euler ("Euler a", k-diffusion's {@code sample_euler_ancestral}): an Euler step down to
 * {@code sigma_down}, then fresh noise of size {@code sigma_up} brings the latent back up to the next level
 * (see {@link AncestralStep}).
 *
 * <p>One noise tensor is drawn per step, the last included, as diffusers' scheduler does, so the noise stream stays
 * in step with the reference.
 */
public final class EulerAncestral implements Sampler {
    @Override
    public String name() {
        return "Euler a";
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        return StepLoop.run(x, sigmas, progress, (i, xi) -> {
            double sigma = sigmas.get(i);
            AncestralStep split = AncestralStep.of(sigma, sigmas.get(i + 1), 1);
            NDArray d = Ode.derivative(xi, denoiser.denoise(xi, sigma), sigma);
            NDArray stepped = Ode.euler(xi, d, split.down() - sigma);
            return stepped.add(noise.next(xi.getManager(), xi.getShape()).mul((float) split.up()));
        });
    }
}

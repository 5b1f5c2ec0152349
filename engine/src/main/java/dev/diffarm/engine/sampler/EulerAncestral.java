package dev.diffarm.engine.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;

/**
 * Ancestral Euler ("Euler a"): an Euler step down to {@code sigma_down}, then fresh noise of size
 * {@code sigma_up} brings the latent back up to the next level, with
 * {@code sigma_up = sqrt(sigma_next^2 (sigma^2 - sigma_next^2) / sigma^2)} and
 * {@code sigma_down = sqrt(sigma_next^2 - sigma_up^2)}.
 *
 * <p>One noise tensor is drawn per step, the last included, as diffusers' scheduler does, so the noise
 * stream stays in step with the reference.
 */
public final class EulerAncestral implements Sampler {
    @Override
    public String name() {
        return "Euler a";
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        for (int i = 0; i < sigmas.steps(); i++) {
            progress.checkCancelled(i);
            double sigma = sigmas.get(i);
            double sigmaNext = sigmas.get(i + 1);
            double sigmaUp = Math.sqrt(sigmaNext * sigmaNext * (sigma * sigma - sigmaNext * sigmaNext) / (sigma * sigma));
            double sigmaDown = Math.sqrt(sigmaNext * sigmaNext - sigmaUp * sigmaUp);
            NDArray next;
            try (NDScope scope = new NDScope()) {
                NDArray denoised = denoiser.denoise(x, sigma);
                NDArray d = x.sub(denoised).div((float) sigma);
                NDArray stepped = x.add(d.mul((float) (sigmaDown - sigma)));
                NDArray fresh = noise.next(x.getManager(), x.getShape());
                next = stepped.add(fresh.mul((float) sigmaUp));
                NDScope.unregister(next);
            }
            x = StepLatent.advance(x, next, i);
            progress.onStep(i, sigmas.steps(), x);
        }
        return x;
    }
}

package dev.diffarm.engine.sampler;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;

/**
 * Deterministic DDIM (eta = 0). In the sigma parametrisation its update
 * {@code x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev) eps} is exactly an Euler step:
 * {@code x_next = x + (sigma_next - sigma) (x - denoised) / sigma}. Its schedule ends at the noise level of
 * the first training step, not at 0; the pipeline converts the result back accordingly.
 */
public final class Ddim implements Sampler {
    @Override
    public String name() {
        return "DDIM";
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        for (int i = 0; i < sigmas.steps(); i++) {
            progress.checkCancelled(i);
            double sigma = sigmas.get(i);
            double next = sigmas.get(i + 1);
            NDArray stepped;
            try (NDScope scope = new NDScope()) {
                NDArray denoised = denoiser.denoise(x, sigma);
                NDArray eps = x.sub(denoised).div((float) sigma);
                stepped = x.add(eps.mul((float) (next - sigma)));
                NDScope.unregister(stepped);
            }
            x = StepLatent.advance(x, stepped, i);
            progress.onStep(i, sigmas.steps(), x);
        }
        return x;
    }
}

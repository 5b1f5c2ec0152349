package dev.diffarm.api;

import ai.djl.ndarray.NDArray;

/**
 * A sampling method: integrates from pure noise to an image latent by calling a {@link Denoiser}.
 *
 * <p>A sampler is stateless and may be used by several jobs at once: everything a run needs comes in
 * through {@link #sample}. It must draw noise only from the given {@link NoiseSource}, check
 * {@link Progress#checkCancelled} before each step and report each step through
 * {@link Progress#onStep}. It should run each step inside its own {@code NDScope} so that only the
 * latent handed to the next step survives the step.
 */
public interface Sampler {
    /** The name users select it by, as AUTOMATIC1111 spells it ({@code "Euler a"}). */
    String name();

    /**
     * Runs the sampler.
     *
     * @param denoiser the model
     * @param x        the starting latent, already scaled to the first noise level
     * @param sigmas   the noise levels to walk through
     * @param noise    the job's noise stream (ancestral and SDE samplers draw from it)
     * @param progress step reports and cancellation
     * @return the latent at the last noise level, in the caller's manager
     */
    NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress);
}

package dev.diffarm.api;

import ai.djl.ndarray.NDArray;

/**
 * The model as a sampler sees it: a noisy latent at noise level {@code sigma} in, the model's
 * estimate of the clean latent out. Classifier-free guidance, ControlNet residuals, LoRA and the
 * model's prediction type (epsilon or v) all live behind this call, so every sampler works with every
 * conditioning mode.
 *
 * <p>{@code x} is in the variance-exploding parametrisation of Karras et al. (2022): {@code x = x0 + sigma * eps}.
 */
@FunctionalInterface
public interface Denoiser {
    /**
     * Estimates the clean latent.
     *
     * @param x     the noisy latent, shape {@code [batch, channels, height, width]}
     * @param sigma the noise level of {@code x}, greater than zero
     * @return the denoised latent, same shape as {@code x}, attached to {@code x}'s manager
     */
    NDArray denoise(NDArray x, double sigma);
}

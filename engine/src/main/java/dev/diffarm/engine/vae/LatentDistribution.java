package dev.diffarm.engine.vae;

import ai.djl.ndarray.NDArray;

/**
 * The diagonal Gaussian the VAE encoder outputs. The log-variance is clamped to [-30, 20] as in the
 * reference, so that {@code std} never overflows.
 */
public final class LatentDistribution {
    private final NDArray mean;
    private final NDArray logvar;

    LatentDistribution(NDArray mean, NDArray rawLogvar) {
        this.mean = mean;
        this.logvar = rawLogvar.clip(-30.0f, 20.0f);
    }

    public NDArray mean() {
        return mean;
    }

    public NDArray logvar() {
        return logvar;
    }

    public NDArray std() {
        return logvar.mul(0.5f).exp();
    }

    /** {@code mean + std * noise}, with {@code noise} drawn by the caller from the job's generator. */
    public NDArray sample(NDArray noise) {
        return mean.add(std().mul(noise));
    }
}

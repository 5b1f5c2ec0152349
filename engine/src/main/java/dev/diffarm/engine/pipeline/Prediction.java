package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.schedule.SchedulerConfig.PredictionType;

/**
 * What the UNet's output is, and how the denoised latent follows from it in the sigma form the samplers work in
 * ({@code x = x0 + sigma * eps}; the UNet sees {@code x / sqrt(sigma^2 + 1)}, the variance-preserving latent with
 * {@code sqrt(abar) = 1 / sqrt(sigma^2 + 1)} and {@code sqrt(1 - abar) = sigma / sqrt(sigma^2 + 1)}). The samplers
 * never see which: k-diffusion's model wrappers hold the same scalings.
 */
public enum Prediction {
    /** The noise: {@code x0 = x - sigma * eps}. */
    EPSILON {
        @Override
        NDArray denoised(NDArray x, double sigma, NDArray output) {
            return x.sub(output.mul((float) sigma));
        }
    },
    /**
     * The velocity {@code v = sqrt(abar) eps - sqrt(1 - abar) x0} (SD 2 768-v, the SD x4 upscaler):
     * {@code x0 = sqrt(abar) x_vp - sqrt(1 - abar) v = x / (sigma^2 + 1) - v * sigma / sqrt(sigma^2 + 1)}.
     */
    V_PREDICTION {
        @Override
        NDArray denoised(NDArray x, double sigma, NDArray output) {
            double variance = sigma * sigma + 1;
            return x.div((float) variance).sub(output.mul((float) (sigma / Math.sqrt(variance))));
        }
    };

    /**
     * The denoised latent (sigma form) at noise level {@code sigma}.
     *
     * @param x      the sigma-form latent the UNet was given (scaled) at {@code sigma}
     * @param output the UNet's output, guidance applied
     */
    abstract NDArray denoised(NDArray x, double sigma, NDArray output);

    /**
     * The prediction a scheduler config's {@code prediction_type} names.
     *
     * @throws IllegalArgumentException for {@code sample}, which no sampler here follows
     */
    public static Prediction of(PredictionType type) {
        return switch (type) {
            case EPSILON -> EPSILON;
            case V_PREDICTION -> V_PREDICTION;
            case SAMPLE -> throw new IllegalArgumentException(
                    "scheduler config field prediction_type = \"sample\": expected epsilon or v_prediction");
        };
    }
}

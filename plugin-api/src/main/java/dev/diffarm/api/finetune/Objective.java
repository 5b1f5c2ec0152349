package dev.diffarm.api.finetune;

import ai.djl.ndarray.NDArray;

/**
 * The training objective the run uses (the host builds it from the run's settings): the MSE between a prediction and
 * its target, per sample weighted by min-SNR-γ when the run sets it.
 */
@FunctionalInterface
public interface Objective {
    /**
     * @param prediction the UNet's prediction [b, C, h, w]
     * @param target     the micro-batch's target, or the same rows of it
     * @param timesteps  the rows' timesteps
     * @return the scalar loss
     */
    NDArray loss(NDArray prediction, NDArray target, long[] timesteps);
}

package dev.diffarm.api;

import ai.djl.ndarray.NDArray;

/**
 * How a sampler reports its steps and learns that it should stop. A sampler calls
 * {@link #checkCancelled()} before each step and {@link #onStep} after it.
 */
public interface Progress {
    /** Reports nothing and is never cancelled. */
    Progress NONE = new Progress() {
    };

    /**
     * Called after every step.
     *
     * @param step     the step just finished, from 0
     * @param total    the number of steps of the whole run
     * @param x        the latent after the step (do not close it; copy what must outlive the call)
     */
    default void onStep(int step, int total, NDArray x) {
    }

    /** True once the work should stop. */
    default boolean isCancelled() {
        return false;
    }

    /**
     * Throws {@link java.util.concurrent.CancellationException} if the work was cancelled.
     *
     * @param step the step about to start, named in the exception's message
     */
    default void checkCancelled(int step) {
        if (isCancelled()) {
            throw new java.util.concurrent.CancellationException("cancelled before step " + step);
        }
    }
}

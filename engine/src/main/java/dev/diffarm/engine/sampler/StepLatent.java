package dev.diffarm.engine.sampler;

import ai.djl.ndarray.NDArray;

/** Hand-over of the latent between steps: the previous step's latent is freed, the caller's input never. */
final class StepLatent {
    private StepLatent() {
    }

    /**
     * @param previous the latent the step started from
     * @param next     the latent the step produced, outside any scope
     * @param step     the step just taken; at step 0 {@code previous} is the caller's and stays open
     */
    static NDArray advance(NDArray previous, NDArray next, int step) {
        if (step > 0) {
            previous.close();
        }
        return next;
    }
}

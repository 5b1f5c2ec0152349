package dev.diffarm.api.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sigmas;

/**
 * The loop every sampler runs, which keeps the {@link dev.diffarm.api.Sampler} contract: a cancellation check
 * before each step, the step inside its own {@link NDScope} so that only the latent it returns survives it, the
 * hand-over of the latent (the previous step's is freed, the caller's never) and a progress report after it.
 */
public final class StepLoop {
    private StepLoop() {
    }

    /** One step of a sampler. */
    @FunctionalInterface
    public interface Step {
        /**
         * @param i the step, from level {@code sigmas.get(i)} to {@code sigmas.get(i + 1)}
         * @param x the latent at level {@code sigmas.get(i)}; do not close it
         * @return a new array: the latent at level {@code sigmas.get(i + 1)}
         */
        NDArray take(int i, NDArray x);
    }

    /** Runs {@code step} over every step of {@code sigmas}, starting from {@code x}; returns the last latent. */
    public static NDArray run(NDArray x, Sigmas sigmas, Progress progress, Step step) {
        for (int i = 0; i < sigmas.steps(); i++) {
            progress.checkCancelled(i);
            NDArray next;
            try (NDScope scope = new NDScope()) {
                next = step.take(i, x);
                NDScope.unregister(next);
            }
            if (i > 0) {
                x.close();
            }
            x = next;
            progress.onStep(i, sigmas.steps(), x);
        }
        return x;
    }
}

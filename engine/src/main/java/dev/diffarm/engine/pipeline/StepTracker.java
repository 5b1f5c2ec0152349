package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Progress;
import java.util.function.IntSupplier;

/**
 * The sampling step a run is at, from 0: it advances when the sampler reports a finished step, and every
 * report and cancellation check goes on to the caller's {@link Progress}.
 */
public final class StepTracker implements Progress, IntSupplier {
    private final Progress caller;
    private int next;

    public StepTracker(Progress caller) {
        this.caller = caller;
    }

    @Override
    public int getAsInt() {
        return next;
    }

    @Override
    public void onStep(int step, int total, NDArray x) {
        next = step + 1;
        caller.onStep(step, total, x);
    }

    @Override
    public boolean isCancelled() {
        return caller.isCancelled();
    }

    @Override
    public void checkCancelled(int step) {
        caller.checkCancelled(step);
    }
}

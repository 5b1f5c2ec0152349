package dev.diffarm.daemon.job;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Progress;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The engine's view of one image task's progress: every sampling step is a step of the {@link TaskRun} and is timed
 * by the step meter, and a cancelled job stops the sampler before its next step.
 */
final class TaskProgress implements Progress {
    private final TaskRun run;
    private final LongSupplier nanoClock;
    private long lastStep;

    TaskProgress(TaskRun run, LongSupplier nanoClock) {
        this.run = run;
        this.nanoClock = nanoClock;
        this.lastStep = nanoClock.getAsLong();
    }

    @Override
    public void onStep(int step, int total, NDArray x) {
        long now = nanoClock.getAsLong();
        run.metrics().step(Duration.ofNanos(now - lastStep));
        lastStep = now;
        run.step(step + 1, total);
        run.offerLatent(x, step + 1);
    }

    @Override
    public boolean isCancelled() {
        return run.isCancelled();
    }
}

package dev.diffarm.daemon.job;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Progress;
import dev.diffarm.daemon.event.ProgressThrottle;
import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.TaskSpec;
import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * The engine's view of one task's progress: every step updates the job's status and the step-time meter,
 * the steps the {@link ProgressThrottle} admits become {@code progress} events, and a cancelled job stops
 * the sampler before its next step.
 */
final class TaskProgress implements Progress {
    private final TrackedJob job;
    private final TaskSpec task;
    private final int tasksCompleted;
    private final int tasks;
    private final ProgressThrottle throttle;
    private final EventSink events;
    private final FarmMetrics metrics;
    private final LongSupplier nanoClock;
    private long lastStep;

    TaskProgress(TrackedJob job, TaskSpec task, int tasksCompleted, int tasks, ProgressThrottle throttle,
                 EventSink events, FarmMetrics metrics, LongSupplier nanoClock) {
        this.job = job;
        this.task = task;
        this.tasksCompleted = tasksCompleted;
        this.tasks = tasks;
        this.throttle = throttle;
        this.events = events;
        this.metrics = metrics;
        this.nanoClock = nanoClock;
        this.lastStep = nanoClock.getAsLong();
    }

    @Override
    public void onStep(int step, int total, NDArray x) {
        long now = nanoClock.getAsLong();
        metrics.step(Duration.ofNanos(now - lastStep));
        lastStep = now;
        int done = step + 1;
        job.onStep(task.id(), done, total);
        if (throttle.admit(done == total)) {
            events.publish(new JobEvent.Progress(job.id(), task.id(), done, total, tasksCompleted, tasks));
        }
    }

    @Override
    public boolean isCancelled() {
        return job.isCancelRequested();
    }
}

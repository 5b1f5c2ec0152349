package dev.diffarm.daemon.job;

import dev.diffarm.daemon.event.ProgressThrottle;
import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.engine.merge.MergeProgress;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.MergeJob;
import java.util.concurrent.CancellationException;

/**
 * The engine's view of a merge job's one task: every merged tensor is a step of task {@value MergeJob#TASK_ID} in the
 * job's status, the steps the {@link ProgressThrottle} admits become {@code progress} events, and a cancelled job
 * stops before its next tensor.
 */
final class MergeTaskProgress implements MergeProgress {
    private final TrackedJob job;
    private final ProgressThrottle throttle;
    private final EventSink events;

    MergeTaskProgress(TrackedJob job, ProgressThrottle throttle, EventSink events) {
        this.job = job;
        this.throttle = throttle;
        this.events = events;
    }

    @Override
    public void tensorMerged(int merged, int total) {
        job.onStep(MergeJob.TASK_ID, merged, total);
        if (throttle.admit(merged == total)) {
            events.publish(new JobEvent.Progress(job.id(), MergeJob.TASK_ID, merged, total, 0, 1));
        }
        if (job.isCancelRequested()) {
            throw new CancellationException("cancelled after tensor " + merged + " of " + total);
        }
    }
}

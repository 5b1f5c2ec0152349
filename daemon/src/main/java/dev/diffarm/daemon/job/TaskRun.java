package dev.diffarm.daemon.job;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

import dev.diffarm.daemon.event.ProgressThrottle;
import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.TrainingFigures;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;

/**
 * What a running task has of the farm: it reports its steps (to the job's status and, as often as the
 * {@link ProgressThrottle} admits, as {@code progress} events), learns of a cancellation, and may keep its
 * intermediate state under its own keys ({@link #state}) so that a task of hours resumes where it last saved
 * when its job is delivered again.
 */
public final class TaskRun {
    private final TrackedJob job;
    private final String taskId;
    private final int index;
    private final int tasks;
    private final ProgressThrottle throttle;
    private final EventSink events;
    private final FarmMetrics metrics;
    private final OutputStore store;
    private final RunTimeLimit limit;
    private final BooleanSupplier withdrawn;

    /**
     * @param index the task's position in the job, which is how many tasks come before it
     * @param tasks how many tasks the job has
     * @param limit     how long the task may run, counted from now
     * @param withdrawn whether the job's delivery was taken back by its source ({@link dev.diffarm.daemon.port.Delivery#isWithdrawn()})
     */
    TaskRun(TrackedJob job, String taskId, int index, int tasks, ProgressThrottle throttle, EventSink events,
            FarmMetrics metrics, OutputStore store, RunTimeLimit limit, BooleanSupplier withdrawn) {
        this.job = job;
        this.withdrawn = withdrawn;
        this.limit = limit;
        this.taskId = taskId;
        this.index = index;
        this.tasks = tasks;
        this.throttle = throttle;
        this.events = events;
        this.metrics = metrics;
        this.store = store;
    }

    /** {@code done} of the task's {@code total} steps are done (a sampling step, a merged tensor, a training step). */
    public void step(long done, long total) {
        step(done, total, Optional.empty());
    }

    /** {@code done} of the task's {@code total} training steps are done, and this is how it learns. */
    public void trainingStep(long done, long total, TrainingFigures figures) {
        step(done, total, Optional.of(figures));
    }

    private void step(long done, long total, Optional<TrainingFigures> training) {
        int shownDone = (int) Math.min(done, Integer.MAX_VALUE);
        int shownTotal = (int) Math.min(total, Integer.MAX_VALUE);
        job.onStep(taskId, shownDone, shownTotal);
        if (throttle.admit(done == total)) {
            events.publish(new JobEvent.Progress(job.id(), taskId, shownDone, shownTotal, index, tasks, training));
        }
    }

    /**
     * Copies the sampler's latent {@code x} ([batch, channels, h, w]) after step {@code step} for a preview, when one
     * was asked for since the last copy; otherwise does nothing, so that no step syncs to the host unasked.
     */
    void offerLatent(NDArray x, int step) {
        if (x == null || x.getShape().dimension() != 4 || !job.takePreviewRequest()) {
            return;
        }
        long[] shape = x.getShape().getShape();
        float[] first = x.get(0).toType(DataType.FLOAT32, false).toFloatArray();
        job.onLatent(new LatentSnapshot(first, new long[] {shape[1], shape[2], shape[3]}, step));
    }

    /**
     * Whether the task is to stop before its next step: its job was asked to stop, its delivery was withdrawn (another
     * daemon runs it now), or the task has run past its {@link RunTimeLimit} (then the job fails naming the limit, see
     * {@link #timedOut()}).
     */
    public boolean isCancelled() {
        return job.isCancelRequested() || withdrawn.getAsBoolean() || limit.isPast();
    }

    /** The failure of a task stopped by its run-time limit; empty while it is within it. */
    Optional<TaskFailure> timedOut() {
        return limit.isPast() ? Optional.of(limit.failure(taskId)) : Optional.empty();
    }

    /**
     * Stops the task if the job was asked to stop.
     *
     * @param where where the task is, for the message: {@code after tensor 5 of 20}
     * @throws CancellationException when it was
     */
    public void checkCancelled(String where) {
        if (isCancelled()) {
            throw new CancellationException("cancelled " + where);
        }
    }

    /**
     * The task's saved states, under {@code jobs/<jobId>/<taskId>/state/}, of which the last {@code keep} are kept.
     * A task must pass the same {@code keep} each time it runs.
     */
    public TaskState state(int keep) {
        return new TaskState(store, Plan.prefix(job.id()) + taskId + "/" + TaskState.FOLDER, keep);
    }

    FarmMetrics metrics() {
        return metrics;
    }
}

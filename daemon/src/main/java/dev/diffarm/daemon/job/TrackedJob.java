package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Job;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One attempt at a job in this daemon: its {@link JobState}, how far it got and what it stored. The worker
 * writes it, REST threads read it and may {@link #requestCancel() cancel} it; every state change is a
 * compare-and-set, so exactly one of two racing changes wins.
 */
public final class TrackedJob {
    private final String id;
    /** Whose job it is: only that tenant (and an admin) sees, streams and cancels it. */
    private final String tenant;
    /** The job's JSON, every default spelt out; empty for a rejected submission. Tells a resubmission from a clash. */
    private final Optional<String> content;
    private final String kind;
    private final int tasks;
    private final AtomicReference<JobState> state;
    /** True from a REST submission until the source delivers it: that delivery runs this attempt. */
    private final AtomicBoolean awaitingDelivery;
    private final List<String> keys = new CopyOnWriteArrayList<>();
    private volatile boolean cancelRequested;
    /** Another node announced the cancel ({@code failed}, cancelled): stopping, this attempt tells nothing more. */
    private volatile boolean cancelAnnounced;
    /** Its tasks run as chunks on the group's daemons ({@link FanOut}); this attempt only waits for the job's end. */
    private volatile boolean split;
    /** When it began running (the epoch's milliseconds); 0 while queued. */
    private volatile long runningSince;
    /** What a cancel request does beyond asking the running job to stop; see {@link #onCancelRequest}. */
    private volatile Runnable cancelAction = () -> { };
    private volatile Step step = Step.NONE;
    private volatile int tasksCompleted;
    private volatile List<EventError> errors = List.of();
    /** Set by a progress reader that wants a preview; the next sampling step takes it and copies its latent. */
    private final AtomicBoolean previewWanted = new AtomicBoolean();
    private volatile Optional<LatentSnapshot> latent = Optional.empty();

    /** Where the task being rendered stands: {@code step} of {@code steps} done. */
    private record Step(Optional<String> taskId, int step, int steps) {
        static final Step NONE = new Step(Optional.empty(), 0, 0);
    }

    private TrackedJob(String id, String tenant, Optional<String> content, String kind, int tasks, JobState state,
                       boolean awaitingDelivery) {
        this.id = Objects.requireNonNull(id, "id");
        this.tenant = Objects.requireNonNull(tenant, "tenant");
        this.content = content;
        this.kind = kind;
        this.tasks = tasks;
        this.state = new AtomicReference<>(state);
        this.awaitingDelivery = new AtomicBoolean(awaitingDelivery);
        this.runningSince = state == JobState.RUNNING ? System.currentTimeMillis() : 0;
    }

    /** A job accepted by the REST intake, waiting in the source. */
    static TrackedJob queued(Job job, String tenant) {
        return new TrackedJob(job.id(), tenant, Optional.of(job.toJson()), job.kind(), job.taskCount(), JobState.QUEUED, true);
    }

    /** A job a worker took from the source without a waiting submission: it runs at once. */
    static TrackedJob running(Job job, String tenant) {
        return new TrackedJob(job.id(), tenant, Optional.of(job.toJson()), job.kind(), job.taskCount(), JobState.RUNNING,
                false);
    }

    /** A submission that is no valid job. */
    static TrackedJob rejected(String id, String tenant, List<EventError> errors) {
        TrackedJob job = new TrackedJob(id, tenant, Optional.empty(), "", 0, JobState.REJECTED, false);
        job.errors = List.copyOf(errors);
        return job;
    }

    public String id() {
        return id;
    }

    public JobState state() {
        return state.get();
    }

    public String tenant() {
        return tenant;
    }

    /** How many tasks the job has. */
    int tasks() {
        return tasks;
    }

    /** The job's JSON as accepted; empty for a rejected submission. */
    Optional<String> content() {
        return content;
    }

    /**
     * Changes the state from {@code from} to {@code to} if it still is {@code from}.
     *
     * @return false when the state had changed meanwhile (another thread won)
     * @throws IllegalArgumentException when {@code from} never leads to {@code to}
     */
    public boolean transition(JobState from, JobState to) {
        if (!from.next().contains(to)) {
            throw new IllegalArgumentException("job " + id + ": no transition from " + from + " to " + to);
        }
        if (!state.compareAndSet(from, to)) {
            return false;
        }
        if (to == JobState.RUNNING) {
            runningSince = System.currentTimeMillis();
        }
        return true;
    }

    /** When it began running, in the epoch's milliseconds; 0 while it has not. */
    long runningSince() {
        return runningSince;
    }

    /** What a cancellation request did. */
    public enum CancelOutcome {
        /** The job was waiting in the source: it is cancelled and will not run. */
        CANCELLED_WHILE_QUEUED,
        /** The job is running: it stops before its next sampling step (a merge: before its next tensor). */
        STOPPING,
        /** The job had already ended; nothing changed. */
        ALREADY_ENDED
    }

    /** Asks the job to stop. */
    public CancelOutcome requestCancel() {
        while (true) {
            JobState now = state.get();
            if (now.isFinal()) {
                return CancelOutcome.ALREADY_ENDED;
            }
            cancelRequested = true;
            if (now == JobState.RUNNING) {
                cancelAction.run();
                return CancelOutcome.STOPPING;
            }
            if (transition(JobState.QUEUED, JobState.CANCELLED)) {
                return CancelOutcome.CANCELLED_WHILE_QUEUED;
            }
        }
    }

    /**
     * Marks the running job split into chunks, and has a cancel request of it also do {@code action}, on the
     * requesting thread: its tasks run on other daemons, which no step of this daemon's would see stopping. A cancel
     * requested before (while it was being split) does {@code action} now.
     */
    void onSplit(Runnable action) {
        cancelAction = action;
        split = true;
        if (cancelRequested) {
            action.run();
        }
    }

    /** Whether its tasks run as chunks on the group's daemons, this attempt waiting for the job's end. */
    boolean isSplit() {
        return split;
    }

    /**
     * The farm's events say that another node cancelled the job and announced it: the job stops as for a cancel
     * request here (before its next step), but its end is told by no event of this attempt's.
     */
    void cancelledElsewhere() {
        cancelAnnounced = true;
        requestCancel();
    }

    /**
     * The farm's events say that the split job ended on another node ({@code completed}, or {@code failed} by a chunk);
     * this attempt, which only waited for that, ends alike and tells nothing more.
     *
     * @return false when it was no split job waiting, or had ended meanwhile
     */
    boolean endedElsewhere(JobState end, Optional<EventError> error) {
        if (!split || !transition(JobState.RUNNING, end)) {
            return false;
        }
        error.ifPresent(this::onError);
        return true;
    }

    /** Whether the cancel was announced by another node ({@link #cancelledElsewhere()}): no event of it is to be sent. */
    boolean isCancelAnnounced() {
        return cancelAnnounced;
    }

    public boolean isCancelRequested() {
        return cancelRequested;
    }

    /** Whether this is the attempt a REST submission waits for; the first delivery takes it over. */
    boolean takeDelivery() {
        return awaitingDelivery.compareAndSet(true, false);
    }

    /** The job works on {@code taskId} until it is stored: its first step is yet to come. */
    void onTaskStarted(String taskId) {
        step = new Step(Optional.of(taskId), 0, 0);
    }

    /** The task the job works on, if any: where a failure happened. */
    Optional<String> currentTask() {
        return step.taskId();
    }

    void onStep(String taskId, int stepsDone, int steps) {
        step = new Step(Optional.of(taskId), stepsDone, steps);
    }

    /** Asks for a copy of the latent after the next sampling step (see {@link #latestLatent()}). */
    public void requestPreview() {
        previewWanted.set(true);
    }

    /** Whether a preview was asked for since the last was taken; asking again is needed for the next one. */
    boolean takePreviewRequest() {
        return previewWanted.getAndSet(false);
    }

    void onLatent(LatentSnapshot snapshot) {
        latent = Optional.of(snapshot);
    }

    /** The latent last copied for a preview of the task being rendered; empty before one was, and between tasks. */
    public Optional<LatentSnapshot> latestLatent() {
        return latent;
    }

    void onTaskStored(String key) {
        latent = Optional.empty();
        keys.add(key);
        tasksCompleted++;
        step = Step.NONE;
    }

    void onOutputStored(String key) {
        keys.add(key);
    }

    void onError(EventError error) {
        errors = List.of(error);
    }

    /** A consistent-enough view for {@code GET /jobs/{id}}. */
    public JobStatus status() {
        Step now = step;
        return new JobStatus(id, tenant, state.get().label(), kind, tasks, tasksCompleted, now.taskId(), now.step(), now.steps(),
                List.copyOf(keys), errors);
    }
}

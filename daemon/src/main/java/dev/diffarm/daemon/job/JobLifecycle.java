package dev.diffarm.daemon.job;

import dev.diffarm.daemon.event.ProgressThrottle;
import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.ParseResult;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The one way a delivered submission becomes outputs, whatever its source and its kind:
 * <ol>
 *   <li>validate ({@link JobIntake#read}); a submission that is no job goes to the dead letters, an invalid
 *       job is rejected;</li>
 *   <li>{@code accepted}; the handler of the job's kind ({@link JobHandlers}) plans its tasks;</li>
 *   <li>for each task in order: skip it if its outputs are stored ({@link TaskWork#isStored()}), else run it
 *       ({@link TaskWork#run}), which makes and stores its outputs with {@code progress} events; {@code task-completed}
 *       either way;</li>
 *   <li>the job's overview ({@link JobWork#storeOverview()}), then {@code completed} with every key;</li>
 *   <li>acknowledge the delivery.</li>
 * </ol>
 * A failure ends the job with a {@code failed} event (the task it was at, and {@code error.code}: the handler's code
 * from a {@link TaskFailure}, or {@value #STORE_FAILED}, {@value #CANCELLED}, {@value #MOVED} or {@value #INTERNAL_ERROR})
 * and the delivery is acknowledged too: what was stored stays, and sending the job again resumes it.
 * Except when the store itself is down (its {@link OutputStore#check()} fails right after the job's store failure):
 * then the job fails with {@value #STORE_FAILED} but its delivery is left unsettled, so that the source delivers it
 * again (Kafka: after a delay; the local queue: on the next start) and the job resumes once outputs can be stored,
 * instead of being lost. A store failure of one job while the store works settles that job like any failure, so a
 * job that can never be stored does not come back forever.
 * Nothing a job does escapes {@link #handle}, so one bad job never stops the worker. This class never names a kind of
 * job: a new kind is a new {@link JobHandler}.
 * <p>With a {@link FanOut} ({@link #withFanOut}), a job it splits is not run here: after {@code accepted} its chunks
 * go to the whole group and the delivery is settled. A chunk delivered ({@link Delivery#isJobPart()}) runs its
 * tasks as above (skipping those stored, {@code task-completed} for each) and sends no {@code completed}; the daemon
 * that stored the last task sends the job's finalize record, and the one handling that stores the overview and sends
 * {@code completed}, once. A chunk whose task fails marks the split failed and sends the finalize record, whose handler
 * sends the job's {@code failed}, once; a cancel marks it cancelled; either way no chunk begins a further task.
 */
public final class JobLifecycle {
    public static final String CANCELLED = "cancelled";
    public static final String STORE_FAILED = "store-failed";
    public static final String INTERNAL_ERROR = "internal-error";
    /** The job's delivery was withdrawn mid-job (its Kafka partition moved): the daemon that has it now runs it. */
    public static final String MOVED = "moved";
    /**
     * The default run-time limit of one task ({@code DIFFARM_TASK_TIMEOUT}): fixed and generous rather than sized from
     * the job's estimate, since a training task legitimately runs for hours and a render that admission let in takes
     * minutes; it catches a task that hangs or runs away, not one that is merely slow.
     */
    public static final String DEFAULT_TASK_TIMEOUT = "PT12H";
    private static final Logger LOG = Logger.getLogger(JobLifecycle.class);

    private final JobIntake intake;
    /** The handlers of a tenant's jobs, over that tenant's part of the store. */
    private final Function<OutputStore, JobHandlers> handlers;
    /** The part of the store a tenant's jobs see ({@link TenantOutputs}), or the whole store for every tenant. */
    private final Function<String, String> tenantPrefix;
    private final OutputStore store;
    private final JobReporting reporting;
    private final Supplier<ProgressThrottle> throttles;
    private final Duration taskTimeout;
    /** Splits large jobs for the group and runs the parts delivered; empty: every job runs here whole. */
    private final Optional<FanOut> fanOut;

    /**
     * A lifecycle whose tasks may each run {@value #DEFAULT_TASK_TIMEOUT}, and whose jobs all store at the root of
     * {@code store}, whatever their tenant: for tools and tests with one tenant.
     */
    public JobLifecycle(JobIntake intake, JobHandlers handlers, OutputStore store, JobReporting reporting,
                        Supplier<ProgressThrottle> throttles) {
        this(intake, handlers, store, reporting, throttles, Duration.parse(DEFAULT_TASK_TIMEOUT));
    }

    /** As above, with tasks that may each run {@code taskTimeout}. */
    public JobLifecycle(JobIntake intake, JobHandlers handlers, OutputStore store, JobReporting reporting,
                        Supplier<ProgressThrottle> throttles, Duration taskTimeout) {
        this(intake, tenantStore -> handlers, tenant -> "", store, reporting, throttles, taskTimeout);
    }

    /**
     * The daemon's lifecycle: each tenant's jobs store under that tenant's prefix ({@link TenantOutputs}).
     *
     * @param handlers    the handlers over one tenant's part of {@code store}
     * @param throttles   a new throttle for each job's progress events
     * @param taskTimeout how long one task may run; past it, the task stops at its next step and its job fails with
     *                    {@value RunTimeLimit#TIMED_OUT}, and the worker goes on to the next job
     */
    public static JobLifecycle perTenant(JobIntake intake, Function<OutputStore, JobHandlers> handlers, OutputStore store,
                                         JobReporting reporting, Supplier<ProgressThrottle> throttles,
                                         Duration taskTimeout) {
        return new JobLifecycle(intake, handlers, TenantOutputs::prefix, store, reporting, throttles, taskTimeout,
                Optional.empty());
    }

    private JobLifecycle(JobIntake intake, Function<OutputStore, JobHandlers> handlers,
                         Function<String, String> tenantPrefix, OutputStore store, JobReporting reporting,
                         Supplier<ProgressThrottle> throttles, Duration taskTimeout) {
        this(intake, handlers, tenantPrefix, store, reporting, throttles, taskTimeout, Optional.empty());
    }

    private JobLifecycle(JobIntake intake, Function<OutputStore, JobHandlers> handlers,
                         Function<String, String> tenantPrefix, OutputStore store, JobReporting reporting,
                         Supplier<ProgressThrottle> throttles, Duration taskTimeout, Optional<FanOut> fanOut) {
        this.fanOut = fanOut;
        this.taskTimeout = RunTimeLimit.checked(taskTimeout);
        this.intake = intake;
        this.handlers = handlers;
        this.tenantPrefix = tenantPrefix;
        this.store = store;
        this.reporting = reporting;
        this.throttles = throttles;
    }

    /**
     * This lifecycle, splitting the image jobs that {@code fanOut} splits and running the parts of jobs it is delivered
     * (a farm's daemons all need one, so that each runs the chunks the others split).
     */
    public JobLifecycle withFanOut(FanOut fanOut) {
        return new JobLifecycle(intake, handlers, tenantPrefix, store, reporting, throttles, taskTimeout,
                Optional.of(fanOut));
    }

    /** Takes one delivery from submission to settlement. Never throws for anything the job did. */
    public void handle(Delivery delivery) {
        if (delivery.isJobPart()) {
            handlePart(delivery);
            return;
        }
        Optional<String> tenantRefused = intake.tenantRefusal(delivery);
        if (tenantRefused.isPresent()) {
            LOG.warnf("%s moved to the dead letters: %s", delivery.origin(), tenantRefused.get());
            settle(delivery, () -> delivery.deadLetter(tenantRefused.get()));
            return;
        }
        ParseResult result;
        String tenant = intake.tenantOf(delivery);
        try {
            result = intake.read(delivery, tenant);
        } catch (RuntimeException unreadable) {
            // Left unsettled: the source delivers it again after a restart.
            LOG.errorf("cannot read %s: %s", delivery.origin(), unreadable);
            return;
        }
        if (result instanceof ParseResult.Invalid invalid) {
            if (JobIntake.isNoJob(invalid)) {
                LOG.warnf("%s is no job, moved to the dead letters: %s", delivery.origin(), JobIntake.reason(invalid));
                settle(delivery, () -> delivery.deadLetter(JobIntake.reason(invalid)));
            } else {
                LOG.warnf("%s rejected: %s", delivery.origin(), JobIntake.reason(invalid));
                settle(delivery, delivery::acknowledge);
            }
            return;
        }
        Job job = result.orElseThrow();
        Optional<TrackedJob> attempt = reporting.registry().claim(job, tenant);
        if (attempt.isEmpty()) {
            LOG.infof("job %s was cancelled while it waited; not running it", job.id());
        } else if (run(attempt.get(), job, tenantPrefix.apply(attempt.get().tenant()), delivery) == Outcome.RETRY_LATER) {
            LOG.warnf("job %s left unsettled: %s delivers it again, and it resumes once outputs can be stored",
                    job.id(), delivery.origin());
            return;
        }
        settle(delivery, delivery::acknowledge);
    }

    /** What becomes of a delivery once its job has run. */
    private enum Outcome { SETTLE, RETRY_LATER }

    /**
     * Runs a job in its tenant's part of the store: keys under {@code prefix}, which events and status name whole. A
     * delivery withdrawn meanwhile stops the job at its next step, like a cancellation.
     */
    private Outcome run(TrackedJob attempt, Job job, String prefix, Delivery delivery) {
        long start = System.nanoTime();
        // The tenant goes with the job's first event: every node's GET /jobs/{id} shows the job to that tenant alone.
        reporting.events().publish(new JobEvent.Accepted(job.id(), job.kind(), job.taskCount(),
                Optional.of(attempt.tenant())));
        ProgressThrottle throttle = throttles.get();
        OutputStore tenantStore = prefix.isEmpty() ? store : TenantOutputs.scoped(store, prefix);
        try {
            JobWork work = handlers.apply(tenantStore).plan(job);
            if (fanOut.isPresent() && fanOut.get().splits(job, work.tasks().size())) {
                return handOver(attempt, job, work.tasks().size(), tenantStore, fanOut.get());
            }
            List<String> keys = runTasks(attempt, work.tasks(), 0, work.tasks().size(), throttle, tenantStore, prefix,
                    delivery, attempt::isCancelRequested);
            if (attempt.isCancelAnnounced()) {
                // Cancelled on another node after the last step here: the farm knows the job cancelled, so it is.
                throw new CancellationException("cancelled by another node after its last task");
            }
            keys.addAll(storeOverview(attempt, work, prefix));
            finish(attempt, JobState.COMPLETED);
            reporting.events().publish(new JobEvent.Completed(job.id(), keys));
            LOG.infof("job %s completed: %d tasks in %.1f s", job.id(), job.taskCount(), (System.nanoTime() - start) / 1e9);
        } catch (CancellationException e) {
            if (delivery.isWithdrawn()) {
                fail(attempt, new EventError(MOVED, "job " + job.id() + " stopped on this daemon (" + e.getMessage()
                        + "): " + delivery.origin() + " moved to another daemon, which runs it again and skips the tasks "
                        + "stored"), JobState.FAILED);
                return Outcome.SETTLE;
            }
            EventError cancelled = new EventError(CANCELLED, "job " + job.id() + " was cancelled (" + e.getMessage() + ")");
            if (attempt.isCancelAnnounced()) {
                end(attempt, JobState.CANCELLED, cancelled, false);
            } else {
                fail(attempt, cancelled, JobState.CANCELLED);
            }
        } catch (TaskFailure e) {
            fail(attempt, e.error(), JobState.FAILED);
        } catch (StoreException e) {
            boolean storeIsDown = storeIsDown();
            fail(attempt, new EventError(STORE_FAILED, e.getMessage() + (storeIsDown
                    ? "; the job will be delivered again and resume once outputs can be stored" : "")), JobState.FAILED);
            return storeIsDown ? Outcome.RETRY_LATER : Outcome.SETTLE;
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            // A broken native library or a job too large for memory ends this job, not the worker.
            LOG.errorf(e, "job %s failed unexpectedly", job.id());
            fail(attempt, new EventError(INTERNAL_ERROR, e.toString()), JobState.FAILED);
        }
        return Outcome.SETTLE;
    }

    private boolean storeIsDown() {
        try {
            store.check();
            return false;
        } catch (RuntimeException e) {
            return true;
        }
    }

    /**
     * Splits the job into chunks for the group ({@link FanOut#split}); the job's delivery is then settled. A cancel
     * request of the job here marks it cancelled in the store, where every chunk looks before each task. When the
     * chunks cannot be sent the job fails and its delivery is left for the source to deliver again.
     */
    private Outcome handOver(TrackedJob attempt, Job job, int tasks, OutputStore tenantStore, FanOut fan) {
        if (attempt.isCancelRequested()) {
            throw new CancellationException("cancelled before it was split");
        }
        List<JobPart> chunks;
        try {
            chunks = fan.split(job, attempt.tenant(), tasks, tenantStore);
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException e) {
            fail(attempt, new EventError(INTERNAL_ERROR, "cannot send the chunks of job " + job.id() + ": " + e.getMessage()
                    + "; the job will be delivered again"), JobState.FAILED);
            return Outcome.RETRY_LATER;
        }
        JobPart first = chunks.get(0);
        LOG.infof("job %s: %d tasks split into %d chunks of at most %d for the group (split %s)", job.id(), tasks,
                chunks.size(), first.to() - first.from(), first.round());
        attempt.onSplit(() -> cancelSplit(attempt, tenantStore, first));
        return Outcome.SETTLE;
    }

    /**
     * Ends a split job cancelled: marked so in the store for the chunks, then {@code failed} as cancelled, unless
     * another node announced the cancel already ({@link TrackedJob#isCancelAnnounced()}).
     */
    private void cancelSplit(TrackedJob attempt, OutputStore tenantStore, JobPart part) {
        try {
            FanOut.cancel(tenantStore, part.jobId(), part.round());
        } catch (RuntimeException e) {
            LOG.errorf("job %s: cannot mark it cancelled for its chunks: %s", part.jobId(), e);
            return;
        }
        end(attempt, JobState.CANCELLED, new EventError(CANCELLED, "job " + part.jobId() + " was cancelled: its chunks "
                + "render no task not started yet"), !attempt.isCancelAnnounced());
    }

    /** Runs a chunk or a finalize record of a split job; settles it unless the store is down. */
    private void handlePart(Delivery delivery) {
        JobPart part;
        try {
            part = JobPart.parse(delivery.payload());
            if (fanOut.isEmpty()) {
                throw new IllegalArgumentException("this daemon runs no parts of jobs (it has no fan-out)");
            }
            if (!Tenants.isValid(part.tenant())) {
                throw new IllegalArgumentException("tenant \"" + Tenants.printable(part.tenant()) + "\": expected "
                        + Tenants.EXPECTED);
            }
        } catch (IllegalArgumentException e) {
            String reason = "not a part of a job: " + e.getMessage();
            LOG.warnf("%s moved to the dead letters: %s", delivery.origin(), reason);
            settle(delivery, () -> delivery.deadLetter(reason));
            return;
        }
        String prefix = tenantPrefix.apply(part.tenant());
        OutputStore tenantStore = prefix.isEmpty() ? store : TenantOutputs.scoped(store, prefix);
        Outcome outcome;
        try {
            outcome = runPart(part, fanOut.get(), tenantStore, prefix, delivery);
        } catch (StoreException e) {
            boolean storeIsDown = storeIsDown();
            LOG.errorf("job %s, %s: %s%s", part.jobId(), delivery.origin(), e.getMessage(),
                    storeIsDown ? "; delivered again once outputs can be stored" : "");
            if (!storeIsDown) {
                reporting.events().publish(new JobEvent.Failed(part.jobId(), Optional.empty(),
                        new EventError(STORE_FAILED, e.getMessage())));
            }
            outcome = storeIsDown ? Outcome.RETRY_LATER : Outcome.SETTLE;
        }
        if (outcome == Outcome.SETTLE) {
            settle(delivery, delivery::acknowledge);
        }
    }

    private Outcome runPart(JobPart part, FanOut fan, OutputStore tenantStore, String prefix, Delivery delivery) {
        Optional<byte[]> stored = fan.storedJob(tenantStore, part);
        if (stored.isEmpty()) {
            LOG.warnf("%s: job %s of split %s is not in the store; nothing to do", delivery.origin(), part.jobId(),
                    part.round());
            return Outcome.SETTLE;
        }
        ParseResult result = intake.reread(stored.get());
        if (result instanceof ParseResult.Invalid invalid) {
            EventError error = new EventError(INTERNAL_ERROR, "job " + part.jobId() + " as split cannot be run on this "
                    + "daemon: " + JobIntake.reason(invalid));
            LOG.error(error.message());
            reporting.events().publish(new JobEvent.Failed(part.jobId(), Optional.empty(), error));
            return Outcome.SETTLE;
        }
        Job job = result.orElseThrow();
        JobHandlers kinds = handlers.apply(tenantStore);
        return switch (part.type()) {
            case CHUNK -> runChunk(part, job, kinds.plan(job, part.from(), part.to()), fan, tenantStore, prefix,
                    delivery);
            case FINALIZE -> finalizeSplit(part, job, kinds.plan(job), fan, tenantStore, prefix);
        };
    }

    /**
     * Runs a chunk's tasks, stopping before a task once the job is marked cancelled; then, if every task of the job is
     * stored, sends the job's finalize record (left for the source to deliver again if it cannot be sent).
     */
    private Outcome runChunk(JobPart part, Job job, JobWork work, FanOut fan, OutputStore tenantStore, String prefix,
                             Delivery delivery) {
        long start = System.nanoTime();
        List<? extends TaskWork> tasks = work.tasks();
        if (part.to() > tasks.size()) {
            LOG.errorf("%s: chunk %d of job %s has tasks %d..%d, but the job has %d", delivery.origin(), part.chunk(),
                    job.id(), part.from(), part.to() - 1, tasks.size());
            return Outcome.SETTLE;
        }
        // This daemon's record of its part of the job, beside the job's own (its origin's): the farm's events of the
        // job's end stop it at its next step (FarmJobEnds).
        TrackedJob attempt = reporting.registry().startPart(job, part.tenant());
        try {
            runTasks(attempt, tasks, part.from(), part.to(), throttles.get(), tenantStore, prefix, delivery,
                    () -> fan.hasStopped(tenantStore, part));
        } catch (CancellationException e) {
            LOG.infof("job %s chunk %d stopped (%s): %s", job.id(), part.chunk(), e.getMessage(), delivery.isWithdrawn()
                    ? delivery.origin() + " moved to another daemon, which runs it again and skips the tasks stored"
                    : "the job was cancelled or failed");
            // A chunk that stops at a failure sends the finalize record too: were the failing chunk's daemon to die
            // between its mark and its record, the job would otherwise never end (a second record does nothing).
            boolean failed = !delivery.isWithdrawn() && !fan.isCancelled(tenantStore, part)
                    && fan.failure(tenantStore, part).isPresent();
            return failed ? sendFinalize(fan, part, "failed") : Outcome.SETTLE;
        } catch (TaskFailure e) {
            return failChunk(attempt, part, fan, tenantStore, e.error());
        } catch (StoreException e) {
            throw e;
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            LOG.errorf(e, "job %s chunk %d failed unexpectedly", job.id(), part.chunk());
            return failChunk(attempt, part, fan, tenantStore, new EventError(INTERNAL_ERROR, e.toString()));
        } finally {
            reporting.registry().endPart(attempt);
        }
        LOG.infof("job %s chunk %d (tasks %d..%d) stored in %.1f s", job.id(), part.chunk(), part.from(), part.to() - 1,
                (System.nanoTime() - start) / 1e9);
        return FanOut.allStored(job.id(), tasks, tenantStore) ? sendFinalize(fan, part, "has every task stored")
                : Outcome.SETTLE;
    }

    /** Sends the job's finalize record; when it cannot be sent, the chunk is left for the source to deliver again. */
    private static Outcome sendFinalize(FanOut fan, JobPart part, String why) {
        try {
            fan.sendFinalize(part);
            return Outcome.SETTLE;
        } catch (RuntimeException e) {
            LOG.errorf("job %s %s, but its finalize record cannot be sent (the chunk is delivered again, and sends it "
                    + "then): %s", part.jobId(), why, e);
            return Outcome.RETRY_LATER;
        }
    }

    /**
     * A chunk whose task failed fails its job, as that task would on one node: the split is marked failed, with its
     * {@code failed} event, so that the other chunks render no further task (what they stored stays), and the job's
     * finalize record sends that event, once. Left for the source to deliver again when the record cannot be sent.
     */
    private Outcome failChunk(TrackedJob attempt, JobPart part, FanOut fan, OutputStore tenantStore, EventError error) {
        Optional<String> task = attempt.currentTask();
        LOG.warnf("job %s failed in chunk %d%s: %s", part.jobId(), part.chunk(), task.map(id -> " at " + id).orElse(""),
                error.message());
        fan.markFailed(tenantStore, part, new JobEvent.Failed(part.jobId(), task, error));
        return sendFinalize(fan, part, "failed");
    }

    /**
     * Completes a split job, once: unless it is cancelled or completed already, stores its overview, sends
     * {@code completed} with every key, then marks it completed. The job's record, where it is this daemon's, completes.
     */
    private Outcome finalizeSplit(JobPart part, Job job, JobWork work, FanOut fan, OutputStore tenantStore,
                                  String prefix) {
        if (fan.isCancelled(tenantStore, part) || fan.isCompleted(tenantStore, part)) {
            LOG.infof("job %s: finalize record ignored, the job is %s", job.id(),
                    fan.isCancelled(tenantStore, part) ? "cancelled" : "ended already");
            return Outcome.SETTLE;
        }
        Optional<JobEvent.Failed> failure = fan.failure(tenantStore, part);
        if (failure.isPresent()) {
            failSplit(part, failure.get(), fan, tenantStore);
            return Outcome.SETTLE;
        }
        List<? extends TaskWork> tasks = work.tasks();
        if (!FanOut.allStored(job.id(), tasks, tenantStore)) {
            LOG.warnf("job %s: finalize record, but not every task is stored; ignored", job.id());
            return Outcome.SETTLE;
        }
        Optional<TrackedJob> origin = reporting.registry().find(job.id())
                .filter(known -> known.state() == JobState.RUNNING && known.tenant().equals(part.tenant()));
        List<String> keys = new ArrayList<>(tasks.size());
        for (TaskWork task : tasks) {
            keys.add(prefix + task.key());
            origin.ifPresent(attempt -> attempt.onTaskStored(prefix + task.key()));
        }
        for (String key : work.storeOverview()) {
            keys.add(prefix + key);
            origin.ifPresent(attempt -> attempt.onOutputStored(prefix + key));
        }
        origin.ifPresentOrElse(attempt -> finish(attempt, JobState.COMPLETED),
                () -> reporting.metrics().jobFinished(JobState.COMPLETED));
        reporting.events().publish(new JobEvent.Completed(job.id(), keys));
        fan.markCompleted(tenantStore, part);
        LOG.infof("job %s completed: %d tasks stored by the group, its overview here", job.id(), tasks.size());
        return Outcome.SETTLE;
    }

    /**
     * Ends a split job that a chunk failed: its {@code failed} event, once; the job's record, where it is this
     * daemon's, fails with it (elsewhere {@link FarmJobEnds} ends it). Nothing more is stored: on one node a job that
     * failed stores no overview either, and sending it again resumes it.
     */
    private void failSplit(JobPart part, JobEvent.Failed failed, FanOut fan, OutputStore tenantStore) {
        Optional<TrackedJob> origin = reporting.registry().find(part.jobId())
                .filter(known -> known.state() == JobState.RUNNING && known.tenant().equals(part.tenant()));
        if (origin.isEmpty() || !end(origin.get(), JobState.FAILED, failed.error(), false)) {
            reporting.metrics().jobFinished(JobState.FAILED);
        }
        reporting.events().publish(failed);
        fan.markCompleted(tenantStore, part);
        LOG.infof("job %s failed%s in a chunk: %s", part.jobId(), failed.taskId().map(id -> " at " + id).orElse(""),
                failed.error().message());
    }

    /**
     * Ends the attempt as {@code state} with {@code error}, and sends its {@code failed} event if {@code announce},
     * unless it had ended meanwhile; returns whether it ended here.
     */
    private boolean end(TrackedJob attempt, JobState state, EventError error, boolean announce) {
        if (!attempt.transition(JobState.RUNNING, state)) {
            return false;
        }
        attempt.onError(error);
        reporting.metrics().jobFinished(state);
        if (announce) {
            reporting.events().publish(new JobEvent.Failed(attempt.id(), attempt.currentTask(), error));
        }
        return true;
    }

    /** Stores the job's overview; returns its keys. */
    private static List<String> storeOverview(TrackedJob attempt, JobWork work, String prefix) {
        List<String> keys = new ArrayList<>();
        for (String key : work.storeOverview()) {
            attempt.onOutputStored(prefix + key);
            keys.add(prefix + key);
        }
        return keys;
    }

    /**
     * Runs each task of {@code tasks} from index {@code from} to {@code to} (exclusive) not stored yet, in order; stops
     * before a task once {@code cancelled} holds or the delivery is withdrawn. Returns their keys.
     */
    private List<String> runTasks(TrackedJob attempt, List<? extends TaskWork> tasks, int from, int to,
                                  ProgressThrottle throttle, OutputStore tenantStore, String prefix, Delivery delivery,
                                  BooleanSupplier cancelled) {
        List<String> keys = new ArrayList<>(to - from);
        for (int i = from; i < to; i++) {
            TaskWork task = tasks.get(i);
            attempt.onTaskStarted(task.id());
            if (cancelled.getAsBoolean() || delivery.isWithdrawn()) {
                throw new CancellationException("cancelled before " + task.id());
            }
            boolean skipped = task.isStored() || runWithinLimit(task, new TaskRun(attempt, task.id(), i, tasks.size(),
                    throttle, reporting.events(), reporting.metrics(), tenantStore,
                    RunTimeLimit.startingNow(taskTimeout, System::nanoTime), delivery::isWithdrawn))
                    == TaskWork.Outcome.FOUND_MADE;
            if (skipped) {
                reporting.metrics().taskSkipped();
            }
            String key = prefix + task.key();
            attempt.onTaskStored(key);
            reporting.events().publish(new JobEvent.TaskCompleted(attempt.id(), task.id(), key,
                    task.parameterHash(), skipped));
            keys.add(key);
        }
        return keys;
    }

    /** Runs a task; one stopped by its run-time limit fails its job naming the limit, rather than as cancelled. */
    private static TaskWork.Outcome runWithinLimit(TaskWork task, TaskRun run) {
        try {
            return task.run(run);
        } catch (CancellationException stopped) {
            Optional<TaskFailure> timedOut = run.timedOut();
            if (timedOut.isPresent()) {
                timedOut.get().addSuppressed(stopped);
                throw timedOut.get();
            }
            throw stopped;
        }
    }

    private void fail(TrackedJob attempt, EventError error, JobState state) {
        Optional<String> task = attempt.currentTask();
        LOG.warnf("job %s %s%s: %s", attempt.id(), state.label(), task.map(id -> " at " + id).orElse(""), error.message());
        attempt.onError(error);
        finish(attempt, state);
        reporting.events().publish(new JobEvent.Failed(attempt.id(), task, error));
    }

    /** Ends the attempt; before its last event, so that a reader of that event sees the final state. */
    private void finish(TrackedJob attempt, JobState state) {
        if (!attempt.transition(JobState.RUNNING, state)) {
            LOG.errorf("job %s: expected to be running when it became %s, but was %s", attempt.id(), state.label(),
                    attempt.state().label());
        }
        reporting.metrics().jobFinished(state);
    }

    private static void settle(Delivery delivery, Runnable settlement) {
        try {
            settlement.run();
        } catch (RuntimeException e) {
            if (delivery.isWithdrawn()) {
                LOG.infof("%s is not this daemon's to settle: %s", delivery.origin(), e.getMessage());
            } else {
                LOG.errorf("cannot settle %s (it will be delivered again): %s", delivery.origin(), e);
            }
        }
    }
}

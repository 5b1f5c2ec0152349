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
        return new JobLifecycle(intake, handlers, TenantOutputs::prefix, store, reporting, throttles, taskTimeout);
    }

    private JobLifecycle(JobIntake intake, Function<OutputStore, JobHandlers> handlers,
                         Function<String, String> tenantPrefix, OutputStore store, JobReporting reporting,
                         Supplier<ProgressThrottle> throttles, Duration taskTimeout) {
        this.taskTimeout = RunTimeLimit.checked(taskTimeout);
        this.intake = intake;
        this.handlers = handlers;
        this.tenantPrefix = tenantPrefix;
        this.store = store;
        this.reporting = reporting;
        this.throttles = throttles;
    }

    /** Takes one delivery from submission to settlement. Never throws for anything the job did. */
    public void handle(Delivery delivery) {
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
            List<String> keys = runTasks(attempt, handlers.apply(tenantStore).plan(job), throttle, tenantStore, prefix,
                    delivery);
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
            fail(attempt, new EventError(CANCELLED, "job " + job.id() + " was cancelled (" + e.getMessage() + ")"),
                    JobState.CANCELLED);
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

    /** Runs each task not stored yet, in order, then stores the overview; returns every key. */
    private List<String> runTasks(TrackedJob attempt, JobWork work, ProgressThrottle throttle, OutputStore tenantStore,
                                  String prefix, Delivery delivery) {
        List<? extends TaskWork> tasks = work.tasks();
        List<String> keys = new ArrayList<>(tasks.size());
        for (int i = 0; i < tasks.size(); i++) {
            TaskWork task = tasks.get(i);
            attempt.onTaskStarted(task.id());
            if (attempt.isCancelRequested() || delivery.isWithdrawn()) {
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
        for (String key : work.storeOverview()) {
            attempt.onOutputStored(prefix + key);
            keys.add(prefix + key);
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

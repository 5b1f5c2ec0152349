package dev.diffarm.daemon.job;

import dev.diffarm.daemon.event.ProgressThrottle;
import dev.diffarm.daemon.gallery.JobGallery;
import dev.diffarm.daemon.merge.MergeFailure;
import dev.diffarm.daemon.merge.ModelMerger;
import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.MergeJob;
import dev.diffarm.farm.config.ParseResult;
import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The one way a delivered submission becomes outputs, whatever its source and its kind:
 * <ol>
 *   <li>validate ({@link JobIntake#read}); a submission that is no job goes to the dead letters, an invalid
 *       job is rejected;</li>
 *   <li>{@code accepted}, then the work of its kind:
 *     <ul>
 *       <li>an image job (render, campaign): plan, then for each task in plan order: skip it if its sidecar is
 *           stored with the same parameter hash (and its image is stored), else render it, store the PNG, then the
 *           sidecar; {@code task-completed} either way; then store the contact sheet and the {@code index.html}
 *           gallery;</li>
 *       <li>a merge job: its one task makes the merged model in the models directory ({@link ModelMerger}), or finds
 *           it made by an earlier delivery, with {@code progress} per merged tensor; {@code task-completed} with the
 *           key of its record;</li>
 *     </ul></li>
 *   <li>{@code completed} with every key;</li>
 *   <li>acknowledge the delivery.</li>
 * </ol>
 * A failure ends the job with a {@code failed} event ({@code error.code}: {@value RenderException#MODEL_UNAVAILABLE},
 * {@value RenderException#LORA_UNAVAILABLE}, {@value RenderException#RENDER_FAILED}, {@value ModelMerger#OUTPUT_EXISTS},
 * {@value ModelMerger#MERGE_FAILED}, {@value #STORE_FAILED}, {@value #CANCELLED} or {@value #INTERNAL_ERROR}; the
 * task it was at) and the delivery is acknowledged too: what was stored stays, and sending the job again resumes it.
 * Except when the store itself is down (its {@link OutputStore#check()} fails right after the job's store failure):
 * then the job fails with {@value #STORE_FAILED} but its delivery is left unsettled, so that the source delivers it
 * again (Kafka: after a delay; the local queue: on the next start) and the job resumes once outputs can be stored,
 * instead of being lost. A store failure of one job while the store works settles that job like any failure, so a
 * job that can never be stored does not come back forever.
 * Nothing a job does escapes {@link #handle}, so one bad job never stops the worker.
 */
public final class JobLifecycle {
    public static final String CANCELLED = "cancelled";
    public static final String STORE_FAILED = "store-failed";
    public static final String INTERNAL_ERROR = "internal-error";
    private static final Logger LOG = Logger.getLogger(JobLifecycle.class);

    private final JobIntake intake;
    private final TaskRenderer renderer;
    private final ModelMerger merger;
    private final OutputStore store;
    private final JobReporting reporting;
    private final Supplier<ProgressThrottle> throttles;

    /**
     * @param throttles a new throttle for each job's progress events
     */
    public JobLifecycle(JobIntake intake, TaskRenderer renderer, ModelMerger merger, OutputStore store,
                        JobReporting reporting, Supplier<ProgressThrottle> throttles) {
        this.intake = intake;
        this.renderer = renderer;
        this.merger = merger;
        this.store = store;
        this.reporting = reporting;
        this.throttles = throttles;
    }

    /** Takes one delivery from submission to settlement. Never throws for anything the job did. */
    public void handle(Delivery delivery) {
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
        } else if (run(attempt.get(), job) == Outcome.RETRY_LATER) {
            LOG.warnf("job %s left unsettled: %s delivers it again, and it resumes once outputs can be stored",
                    job.id(), delivery.origin());
            return;
        }
        settle(delivery, delivery::acknowledge);
    }

    /** What becomes of a delivery once its job has run. */
    private enum Outcome { SETTLE, RETRY_LATER }

    private Outcome run(TrackedJob attempt, Job job) {
        long start = System.nanoTime();
        reporting.events().publish(new JobEvent.Accepted(job.id(), job.kind(), job.taskCount()));
        ProgressThrottle throttle = throttles.get();
        try {
            List<String> keys = job instanceof MergeJob merge ? merge(attempt, merge, throttle)
                    : renderImages(attempt, (ImageJob) job, throttle);
            finish(attempt, JobState.COMPLETED);
            reporting.events().publish(new JobEvent.Completed(job.id(), keys));
            LOG.infof("job %s completed: %d tasks in %.1f s", job.id(), job.taskCount(), (System.nanoTime() - start) / 1e9);
        } catch (CancellationException e) {
            fail(attempt, new EventError(CANCELLED, "job " + job.id() + " was cancelled (" + e.getMessage() + ")"),
                    JobState.CANCELLED);
        } catch (RenderException e) {
            fail(attempt, new EventError(e.code(), e.getMessage()), JobState.FAILED);
        } catch (MergeFailure e) {
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

    /** Renders each task not stored yet, in plan order, then the overview; returns every key. */
    private List<String> renderImages(TrackedJob attempt, ImageJob job, ProgressThrottle throttle) {
        Plan plan = job.plan();
        for (TaskSpec task : plan.tasks()) {
            attempt.onTaskStarted(task.id());
            if (attempt.isCancelRequested()) {
                throw new CancellationException("cancelled before " + task.id());
            }
            boolean skipped = isStored(task);
            if (skipped) {
                reporting.metrics().taskSkipped();
            } else {
                renderAndStore(attempt, task, plan.tasks().size(), throttle);
            }
            attempt.onTaskStored(task.key());
            reporting.events().publish(JobEvent.TaskCompleted.of(task, skipped));
        }
        List<String> keys = new ArrayList<>(plan.keys());
        for (String key : JobGallery.store(plan, store)) {
            attempt.onOutputStored(key);
            keys.add(key);
        }
        return keys;
    }

    /** Makes the merged model, or finds it made; returns the key of the job's record. */
    private List<String> merge(TrackedJob attempt, MergeJob job, ProgressThrottle throttle) {
        attempt.onTaskStarted(MergeJob.TASK_ID);
        if (attempt.isCancelRequested()) {
            throw new CancellationException("cancelled before " + MergeJob.TASK_ID);
        }
        ModelMerger.Outcome outcome = merger.merge(job, new MergeTaskProgress(attempt, throttle, reporting.events()));
        attempt.onTaskStored(job.recordKey());
        reporting.events().publish(new JobEvent.TaskCompleted(job.id(), MergeJob.TASK_ID, job.recordKey(),
                job.parameterHash(), outcome == ModelMerger.Outcome.ALREADY_MERGED));
        return List.of(job.recordKey());
    }

    /** Whether the task's sidecar is stored with the task's parameter hash, and its image beside it. */
    private boolean isStored(TaskSpec task) {
        return store.get(task.sidecarKey()).flatMap(TaskSpec::storedParameterHash)
                .filter(task.parameterHash()::equals).isPresent() && store.exists(task.key());
    }

    private void renderAndStore(TrackedJob attempt, TaskSpec task, int tasks, ProgressThrottle throttle) {
        long start = System.nanoTime();
        TaskProgress progress = new TaskProgress(attempt, task, task.index(), tasks, throttle, reporting.events(),
                reporting.metrics(), System::nanoTime);
        byte[] png = renderer.render(task, progress);
        long rendered = System.nanoTime();
        // The image first: a stored sidecar is the sign that its image is complete.
        store.put(task.key(), png, "image/png");
        store.put(task.sidecarKey(), task.sidecarJson().getBytes(StandardCharsets.UTF_8), "application/json");
        reporting.metrics().taskRendered(Duration.ofNanos(System.nanoTime() - start), Duration.ofNanos(rendered - start));
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
            LOG.errorf("cannot settle %s (it will be delivered again): %s", delivery.origin(), e);
        }
    }
}

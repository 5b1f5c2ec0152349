package dev.diffarm.daemon.job;

import dev.diffarm.daemon.event.ProgressThrottle;
import dev.diffarm.daemon.gallery.JobGallery;
import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.JobEvent;
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
 * The one way a delivered submission becomes images, whatever its source:
 * <ol>
 *   <li>validate ({@link JobIntake#read}); a submission that is no job goes to the dead letters, an invalid
 *       job is rejected;</li>
 *   <li>{@code accepted}, then plan, then for each task in plan order: skip it if its sidecar is stored with
 *       the same parameter hash (and its image is stored), else render it, store the PNG, then the sidecar;
 *       {@code task-completed} either way;</li>
 *   <li>store the contact sheet and the {@code index.html} gallery; {@code completed} with every key;</li>
 *   <li>acknowledge the delivery.</li>
 * </ol>
 * A failure ends the job with a {@code failed} event ({@code error.code}: {@value RenderException#MODEL_UNAVAILABLE},
 * {@value RenderException#LORA_UNAVAILABLE}, {@value RenderException#RENDER_FAILED}, {@value #STORE_FAILED},
 * {@value #CANCELLED} or {@value #INTERNAL_ERROR}) and the delivery is acknowledged too: what was stored stays, and sending the job again resumes it. Nothing
 * a job does escapes {@link #handle}, so one bad job never stops the worker.
 */
public final class JobLifecycle {
    public static final String CANCELLED = "cancelled";
    public static final String STORE_FAILED = "store-failed";
    public static final String INTERNAL_ERROR = "internal-error";
    private static final Logger LOG = Logger.getLogger(JobLifecycle.class);

    private final JobIntake intake;
    private final TaskRenderer renderer;
    private final OutputStore store;
    private final JobReporting reporting;
    private final Supplier<ProgressThrottle> throttles;

    /**
     * @param throttles a new throttle for each job's progress events
     */
    public JobLifecycle(JobIntake intake, TaskRenderer renderer, OutputStore store, JobReporting reporting,
                        Supplier<ProgressThrottle> throttles) {
        this.intake = intake;
        this.renderer = renderer;
        this.store = store;
        this.reporting = reporting;
        this.throttles = throttles;
    }

    /** Takes one delivery from submission to settlement. Never throws for anything the job did. */
    public void handle(Delivery delivery) {
        ParseResult result;
        try {
            result = intake.read(delivery.payload());
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
        Optional<TrackedJob> attempt = reporting.registry().claim(job);
        if (attempt.isPresent()) {
            run(attempt.get(), job);
        } else {
            LOG.infof("job %s was cancelled while it waited; not running it", job.id());
        }
        settle(delivery, delivery::acknowledge);
    }

    private void run(TrackedJob attempt, Job job) {
        long start = System.nanoTime();
        reporting.events().publish(new JobEvent.Accepted(job.id(), job.kind(), job.taskCount()));
        Plan plan = job.plan();
        ProgressThrottle throttle = throttles.get();
        Optional<TaskSpec> current = Optional.empty();
        try {
            for (TaskSpec task : plan.tasks()) {
                current = Optional.of(task);
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
            current = Optional.empty();
            List<String> keys = new ArrayList<>(plan.keys());
            for (String key : JobGallery.store(plan, store)) {
                attempt.onOutputStored(key);
                keys.add(key);
            }
            finish(attempt, JobState.COMPLETED);
            reporting.events().publish(new JobEvent.Completed(job.id(), keys));
            LOG.infof("job %s completed: %d tasks in %.1f s", job.id(), plan.tasks().size(), (System.nanoTime() - start) / 1e9);
        } catch (CancellationException e) {
            fail(attempt, current, new EventError(CANCELLED, "job " + job.id() + " was cancelled ("
                    + e.getMessage() + ")"), JobState.CANCELLED);
        } catch (RenderException e) {
            fail(attempt, current, new EventError(e.code(), e.getMessage()), JobState.FAILED);
        } catch (StoreException e) {
            fail(attempt, current, new EventError(STORE_FAILED, e.getMessage()), JobState.FAILED);
        } catch (RuntimeException | LinkageError | VirtualMachineError e) {
            // A broken native library or a job too large for memory ends this job, not the worker.
            LOG.errorf(e, "job %s failed unexpectedly", job.id());
            fail(attempt, current, new EventError(INTERNAL_ERROR, e.toString()), JobState.FAILED);
        }
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
        // The image first: a stored sidecar is the sign that its image is complete.
        store.put(task.key(), png, "image/png");
        store.put(task.sidecarKey(), task.sidecarJson().getBytes(StandardCharsets.UTF_8), "application/json");
        reporting.metrics().taskRendered(Duration.ofNanos(System.nanoTime() - start));
    }

    private void fail(TrackedJob attempt, Optional<TaskSpec> task, EventError error, JobState state) {
        LOG.warnf("job %s %s%s: %s", attempt.id(), state.label(), task.map(t -> " at " + t.id()).orElse(""),
                error.message());
        attempt.onError(error);
        finish(attempt, state);
        reporting.events().publish(new JobEvent.Failed(attempt.id(), task.map(TaskSpec::id), error));
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

package dev.diffarm.daemon.job;

import dev.diffarm.daemon.gallery.JobGallery;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.TaskSpec;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

/**
 * Render jobs and campaigns: a task per image of the job's {@link Plan}. A task renders its image with the
 * {@link TaskRenderer} and stores the PNG, its thumbnail and then its sidecar; a task whose sidecar is stored with the
 * same parameter hash, its image beside it, is stored. With a batch size above 1, tasks that can render together
 * do, up to that many at once ({@link TaskBatches}); each is still stored and reported at its own turn. The overview
 * is the job's gallery ({@link JobGallery}).
 */
final class ImageJobHandler implements JobHandler<ImageJob> {
    /** The setting of the batch size, for error messages. */
    static final String BATCH_SIZE_SETTING = "DIFFARM_BATCH_SIZE";

    private final TaskRenderer renderer;
    private final OutputStore store;
    private final int batchSize;
    private final BatchCompanions companions;

    /**
     * @param batchSize  the most tasks rendered as one batch, 1 to {@value GenerationRequest#MAX_BATCH}; 1 renders each
     *                   task alone
     * @param companions the worker's cross-job batching ({@link BatchCompanions#none()}: batches of one job's tasks)
     */
    ImageJobHandler(TaskRenderer renderer, OutputStore store, int batchSize, BatchCompanions companions) {
        this.renderer = renderer;
        this.store = store;
        this.batchSize = checkedBatchSize(batchSize);
        this.companions = companions;
    }

    /** {@code batchSize}, if it is 1 to {@value GenerationRequest#MAX_BATCH}; else an error naming the setting. */
    static int checkedBatchSize(int batchSize) {
        if (batchSize < 1 || batchSize > GenerationRequest.MAX_BATCH) {
            throw new IllegalArgumentException(BATCH_SIZE_SETTING + " = " + batchSize + ": expected 1.."
                    + GenerationRequest.MAX_BATCH + " (1 renders each task alone)");
        }
        return batchSize;
    }

    @Override
    public JobWork plan(ImageJob job) {
        return plan(job, 0, Integer.MAX_VALUE);
    }

    /** A batch takes tasks after its first one up to {@code to} only: the tasks after it are another chunk's. */
    @Override
    public JobWork plan(ImageJob job, int from, int to) {
        Plan plan = job.plan();
        // Batches look ahead only: up to the end is all they need, and the list keeps its indexes.
        List<TaskSpec> batchable = plan.tasks().subList(0, Math.min(to, plan.tasks().size()));
        TaskBatches batches = new TaskBatches(renderer, batchable, this::isStored, batchSize, companions,
                System::nanoTime);
        List<ImageTask> tasks = plan.tasks().stream().map(task -> new ImageTask(task, batches)).toList();
        return new JobWork() {
            @Override
            public List<ImageTask> tasks() {
                return tasks;
            }

            @Override
            public List<String> storeOverview() {
                return JobGallery.store(plan, store);
            }
        };
    }

    private boolean isStored(TaskSpec task) {
        return isStored(task, store);
    }

    /** Whether {@code task}'s sidecar is in {@code store} with its parameter hash, its image beside it. */
    static boolean isStored(TaskSpec task, OutputStore store) {
        return store.get(task.sidecarKey()).flatMap(TaskSpec::storedParameterHash)
                .filter(task.parameterHash()::equals).isPresent() && store.exists(task.key());
    }

    private final class ImageTask extends PlannedTask {
        private final TaskBatches batches;

        ImageTask(TaskSpec task, TaskBatches batches) {
            super(task);
            this.batches = batches;
        }

        @Override
        public boolean isStored() {
            return ImageJobHandler.this.isStored(task);
        }

        @Override
        public Outcome run(TaskRun run) {
            long start = System.nanoTime();
            TaskBatches.Rendered rendered;
            try {
                rendered = batches.png(task, new TaskProgress(run, System::nanoTime));
            } catch (RenderException e) {
                throw new TaskFailure(new EventError(e.code(), e.getMessage()), e);
            }
            rendered.batch().ifPresent(batch -> run.metrics().batchRendered(batch.tasks(), batch.jobs()));
            if (rendered.ahead()) {
                // rendered in an earlier task's batch: its last step is reported now, at its own turn
                int steps = task.parameters().settings().steps();
                run.step(steps, steps);
            }
            // The sidecar last: a stored sidecar is the sign that the image and its thumbnail are complete.
            store.put(task.key(), rendered.png(), "image/png");
            JobGallery.storeThumbnail(task, rendered.png(), store);
            store.put(task.sidecarKey(), task.sidecarJson().getBytes(StandardCharsets.UTF_8), "application/json");
            // Each task of a batch counts its share of the batch's engine time, whichever task's turn it ran in.
            long taskNanos = System.nanoTime() - start - rendered.spentNanos() + rendered.engineNanos();
            run.metrics().taskRendered(Duration.ofNanos(taskNanos), Duration.ofNanos(rendered.engineNanos()));
            return Outcome.MADE;
        }
    }
}

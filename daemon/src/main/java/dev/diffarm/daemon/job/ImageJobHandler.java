package dev.diffarm.daemon.job;

import dev.diffarm.daemon.gallery.JobGallery;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.daemon.render.TaskRenderer;
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
 * same parameter hash, its image beside it, is stored. The overview is the job's gallery ({@link JobGallery}).
 */
final class ImageJobHandler implements JobHandler<ImageJob> {
    private final TaskRenderer renderer;
    private final OutputStore store;

    ImageJobHandler(TaskRenderer renderer, OutputStore store) {
        this.renderer = renderer;
        this.store = store;
    }

    @Override
    public JobWork plan(ImageJob job) {
        Plan plan = job.plan();
        List<ImageTask> tasks = plan.tasks().stream().map(ImageTask::new).toList();
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

    private final class ImageTask extends PlannedTask {
        ImageTask(TaskSpec task) {
            super(task);
        }

        @Override
        public boolean isStored() {
            return store.get(task.sidecarKey()).flatMap(TaskSpec::storedParameterHash)
                    .filter(task.parameterHash()::equals).isPresent() && store.exists(task.key());
        }

        @Override
        public Outcome run(TaskRun run) {
            long start = System.nanoTime();
            byte[] png;
            try {
                png = renderer.render(task, new TaskProgress(run, System::nanoTime));
            } catch (RenderException e) {
                throw new TaskFailure(new EventError(e.code(), e.getMessage()), e);
            }
            long rendered = System.nanoTime();
            // The sidecar last: a stored sidecar is the sign that the image and its thumbnail are complete.
            store.put(task.key(), png, "image/png");
            JobGallery.storeThumbnail(task, png, store);
            store.put(task.sidecarKey(), task.sidecarJson().getBytes(StandardCharsets.UTF_8), "application/json");
            run.metrics().taskRendered(Duration.ofNanos(System.nanoTime() - start), Duration.ofNanos(rendered - start));
            return Outcome.MADE;
        }
    }
}

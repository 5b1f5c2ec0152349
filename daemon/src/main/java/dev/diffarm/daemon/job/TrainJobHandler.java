package dev.diffarm.daemon.job;

import dev.diffarm.daemon.gallery.TrainGallery;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.farm.config.TrainJob;
import java.nio.file.Path;
import java.util.List;

/**
 * Train jobs: a {@link TrainTask} per combination of the job's sweep ({@link TrainJob#runs()}), each training with its
 * method's plugin (the request made by its {@link TrainingRunner}) on the model the render path has loaded
 * ({@link ModelCache}), saving its state as it
 * goes and resuming from it when the job is delivered again. Once every run is done, the job's {@link TrainGallery}:
 * samples over time, loss curves and, for a sweep, the grid of every result.
 */
final class TrainJobHandler implements JobHandler<TrainJob> {
    /** Two states: a save cut short by a crash leaves the one before. */
    static final int STATES_KEPT = 2;

    private final ModelCache models;
    private final OutputStore store;
    private final Path datasetsDir;
    private final Path loraDir;
    private final SamplerPlugins plugins;

    /**
     * @param datasetsDir the root a job's {@code dataset} names a folder of
     * @param loraDir     the node's LoRA folder, where a trained LoRA goes for render jobs
     * @param plugins     the fine-tune methods, and the samplers the samples are rendered with
     */
    TrainJobHandler(ModelCache models, OutputStore store, Path datasetsDir, Path loraDir,
                    SamplerPlugins plugins) {
        this.models = models;
        this.store = store;
        this.datasetsDir = datasetsDir.toAbsolutePath().normalize();
        this.loraDir = loraDir;
        this.plugins = plugins;
    }

    @Override
    public JobWork plan(TrainJob job) {
        List<TrainTask> tasks = job.runs().stream().map(run -> new TrainTask(job, run,
                new TrainTask.Farm(models, store, datasetsDir, loraDir, plugins))).toList();
        return new JobWork() {
            @Override
            public List<? extends TaskWork> tasks() {
                return tasks;
            }

            @Override
            public List<String> storeOverview() {
                return TrainGallery.store(job, store);
            }
        };
    }
}

package dev.diffarm.daemon.job;

import dev.diffarm.daemon.merge.ModelMerger;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.InputPictures;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.daemon.render.UpscalerCache;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.farm.config.Campaign;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.MergeJob;
import dev.diffarm.farm.config.RenderJob;
import dev.diffarm.farm.config.TrainJob;
import dev.diffarm.farm.config.UpscaleJob;
import java.nio.file.Path;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The handler of each kind of job. A new kind is one more handler here: the compiler asks for it, as
 * {@link Job.Visitor} has a method per kind.
 *
 * <h2>Adding a kind</h2>
 * The kind {@code train} touched: in farm-config its record ({@code TrainJob}, with {@code accept}), {@code Job}
 * ({@code permits} and the {@code Visitor} method), and its schema part: {@code JobReader} (the case that reads it),
 * {@code Rules} (its name and value rules), {@code job.schema.json}, and the visitor methods of {@code JobJson} and
 * {@code CatalogCheck}, which do not compile until it has them; in the daemon its {@link TrainJobHandler} and its
 * component and visitor method here. The lifecycle, the job's record, events, stores and the gallery did not change.
 * A task of hours keeps its state with {@link TaskRun#state}. The kind {@code upscale} touched the same places, plus
 * {@code Catalog.Kind.UPSCALER} for the names it checks.
 *
 * @param images   render jobs and campaigns
 * @param merges   merge jobs
 * @param trains   train jobs
 * @param upscales upscale jobs
 */
public record JobHandlers(JobHandler<ImageJob> images, JobHandler<MergeJob> merges, JobHandler<TrainJob> trains,
                          JobHandler<UpscaleJob> upscales) {
    public JobHandlers {
        Objects.requireNonNull(images, "images");
        Objects.requireNonNull(merges, "merges");
        Objects.requireNonNull(trains, "trains");
        Objects.requireNonNull(upscales, "upscales");
    }

    /**
     * The daemon's handlers: images rendered by {@code renderer} one task at a time, models merged by {@code merger},
     * LoRAs trained by {@code trains} (see {@link #training}), pictures upscaled by {@code upscales} (see
     * {@link #upscaling}), outputs in {@code store}.
     */
    public static JobHandlers of(TaskRenderer renderer, ModelMerger merger, JobHandler<TrainJob> trains,
                                 JobHandler<UpscaleJob> upscales, OutputStore store) {
        return of(renderer, 1, merger, trains, upscales, store);
    }

    /** As above, with up to {@code batchSize} image tasks rendered as one batch (see {@link #images}). */
    public static JobHandlers of(TaskRenderer renderer, int batchSize, ModelMerger merger, JobHandler<TrainJob> trains,
                                 JobHandler<UpscaleJob> upscales, OutputStore store) {
        return of(renderer, batchSize, BatchCompanions.none(), merger, trains, upscales, store);
    }

    /** As above, with batches that take tasks of jobs waiting for the worker too ({@link BatchCompanions}). */
    public static JobHandlers of(TaskRenderer renderer, int batchSize, BatchCompanions companions, ModelMerger merger,
                                 JobHandler<TrainJob> trains, JobHandler<UpscaleJob> upscales, OutputStore store) {
        return new JobHandlers(images(renderer, store, batchSize, companions), new MergeJobHandler(merger), trains,
                upscales);
    }

    /**
     * The handler of render jobs and campaigns: tasks rendered by {@code renderer}, up to {@code batchSize} of a job's
     * tasks that {@link TaskRenderer#batchKey} lets go together as one batch (1: each alone), stored in {@code store}.
     *
     * @throws IllegalArgumentException if {@code batchSize} is outside 1..64, naming {@code DIFFARM_BATCH_SIZE}
     */
    public static JobHandler<ImageJob> images(TaskRenderer renderer, OutputStore store, int batchSize) {
        return images(renderer, store, batchSize, BatchCompanions.none());
    }

    /** As above, with batches that take tasks of jobs waiting for the worker too ({@link BatchCompanions}). */
    public static JobHandler<ImageJob> images(TaskRenderer renderer, OutputStore store, int batchSize,
                                              BatchCompanions companions) {
        return new ImageJobHandler(renderer, store, batchSize, companions);
    }

    /**
     * {@code batchSize} if {@link #images} takes it, so that a daemon refuses a bad setting when it starts.
     *
     * @throws IllegalArgumentException if it is outside 1..64, naming {@code DIFFARM_BATCH_SIZE}
     */
    public static int checkedBatchSize(int batchSize) {
        return ImageJobHandler.checkedBatchSize(batchSize);
    }

    /**
     * The handler of upscale jobs: pictures read by {@code pictures}, upscaled with the upscalers {@code upscalers}
     * loads (the worker's), the PNGs put in {@code store}; an SD x4 upscale samples with {@code samplers} and reads
     * the embeddings of {@code embeddings}.
     */
    public static JobHandler<UpscaleJob> upscaling(UpscalerCache upscalers, InputPictures pictures, OutputStore store,
                                                  Supplier<SamplerRegistry> samplers, EmbeddingDirectory embeddings) {
        return new UpscaleJobHandler(upscalers, pictures, store, samplers, embeddings);
    }

    /**
     * The handler of train jobs: it trains on the models of {@code models} with the datasets under
     * {@code datasetsDir} with the fine-tune methods of {@code plugins}, puts the results in {@code store} (LoRAs in
     * {@code loraDir} too), and renders the samples with the samplers of {@code plugins}.
     */
    public static JobHandler<TrainJob> training(ModelCache models, OutputStore store, Path datasetsDir, Path loraDir,
                                                SamplerPlugins plugins) {
        return new TrainJobHandler(models, store, datasetsDir, loraDir, plugins);
    }

    /** The same handlers with {@code images} in place of the image handler. */
    public JobHandlers withImages(JobHandler<ImageJob> images) {
        return new JobHandlers(images, merges, trains, upscales);
    }

    /** The work of {@code job}, planned by the handler of its kind. */
    JobWork plan(Job job) {
        return plan(job, 0, job.taskCount());
    }

    /** The work of {@code job} of which only tasks {@code from} to {@code to} (exclusive) run here (see {@link JobHandler}). */
    JobWork plan(Job job, int from, int to) {
        return job.accept(new Job.Visitor<>() {
            @Override
            public JobWork render(RenderJob render) {
                return images.plan(render, from, to);
            }

            @Override
            public JobWork campaign(Campaign campaign) {
                return images.plan(campaign, from, to);
            }

            @Override
            public JobWork merge(MergeJob merge) {
                return merges.plan(merge);
            }

            @Override
            public JobWork upscale(UpscaleJob upscale) {
                return upscales.plan(upscale);
            }

            @Override
            public JobWork train(TrainJob train) {
                return trains.plan(train);
            }
        });
    }
}

package dev.diffarm.daemon;

import dev.diffarm.daemon.event.EventSinks;
import dev.diffarm.daemon.event.ProgressThrottle;
import dev.diffarm.daemon.job.FarmMetrics;
import dev.diffarm.daemon.job.IntakePolicy;
import dev.diffarm.daemon.job.JobHandler;
import dev.diffarm.daemon.job.JobHandlers;
import dev.diffarm.daemon.job.JobIntake;
import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.job.JobRegistry;
import dev.diffarm.daemon.job.JobReporting;
import dev.diffarm.daemon.local.EventLog;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.local.LocalQueue;
import dev.diffarm.daemon.merge.ModelMerger;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.FarmCatalog;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.InputPictures;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.StoreBackedCatalog;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.daemon.render.UpscalerCache;
import dev.diffarm.daemon.render.UpscalerCatalog;
import dev.diffarm.daemon.render.UpscalerDirectory;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.JobParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * The daemon's job flow on its embedded defaults, without Quarkus: a local queue, store and event log in a
 * folder (or another store of the test's choice), a models folder (which merge jobs write to), and a renderer of
 * the test's choice. {@link #runUntilIdle()} does what the worker thread does, on the test's thread.
 */
public final class LocalFarm {
    public final Path local;
    public final Path models;
    public final LocalQueue queue;
    public final OutputStore store;
    public final RecordedEvents events = new RecordedEvents();
    public final JobRegistry registry = new JobRegistry(100);
    public final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    public final JobIntake intake;
    public final JobLifecycle lifecycle;

    /** A farm over {@code local} (queue, outputs, events.jsonl) and {@code models}, without LoRAs. */
    public LocalFarm(Path local, Path models, TaskRenderer renderer) {
        this(local, models, local.resolve("loras"), renderer);
    }

    /** A farm over {@code local} (queue, outputs, events.jsonl), {@code models} and the LoRA folder {@code loras}. */
    public LocalFarm(Path local, Path models, Path loras, TaskRenderer renderer) {
        this(local, models, loras, renderer, new LocalOutputStore(local.resolve("outputs")));
    }

    /** A farm over {@code local} (queue, events.jsonl), {@code models} and {@code loras} that stores in {@code store}. */
    public LocalFarm(Path local, Path models, Path loras, TaskRenderer renderer, OutputStore store) {
        this(local, models, loras, store, (farm, handlers) -> handlers, renderer);
    }

    /**
     * A farm over {@code local} (queue, events.jsonl) and {@code models} that stores in {@code store}, whose render jobs
     * and campaigns are handled by {@code images} instead of being rendered.
     */
    public LocalFarm(Path local, Path models, OutputStore store, JobHandler<ImageJob> images) {
        this(local, models, local.resolve("loras"), store, (farm, handlers) -> handlers.withImages(images),
                (task, progress) -> {
                    throw new AssertionError("the image handler replaced renders nothing: " + task.key());
                });
    }

    /**
     * A farm over {@code local} (queue, events.jsonl) and {@code models} that stores in {@code store}, whose render jobs
     * and campaigns are handled by the handler {@code images} makes over the farm (cross-job batching looks at the jobs
     * waiting in its queue, read by its intake).
     */
    public static LocalFarm withImagesOver(Path local, Path models, OutputStore store,
                                           Function<LocalFarm, JobHandler<ImageJob>> images) {
        return new LocalFarm(local, models, local.resolve("loras"), store,
                (farm, handlers) -> handlers.withImages(images.apply(farm)), (task, progress) -> {
                    throw new AssertionError("the image handler replaced renders nothing: " + task.key());
                });
    }

    /** A farm over {@code local} and {@code models} whose tasks may each run {@code taskTimeout}. */
    public LocalFarm(Path local, Path models, TaskRenderer renderer, Duration taskTimeout) {
        this(local, models, local.resolve("loras"), new LocalOutputStore(local.resolve("outputs")),
                (farm, handlers) -> handlers, renderer, taskTimeout);
    }

    /**
     * A farm over {@code local} (queue, events.jsonl), {@code models} and {@code loras} that stores in {@code store} and
     * whose intake knows the farm-wide catalog {@code farmWide} too, as a daemon's does (its upscale jobs fetch the
     * store's upscaler models into {@link #upscalers}{@code (local)}, which should be {@code farmWide}'s upscalers
     * folder).
     */
    public LocalFarm(Path local, Path models, Path loras, TaskRenderer renderer, OutputStore store,
                     StoreBackedCatalog farmWide) {
        this(local, models, loras, store, (farm, handlers) -> handlers, renderer,
                Duration.parse(JobLifecycle.DEFAULT_TASK_TIMEOUT), Optional.of(farmWide));
    }

    private LocalFarm(Path local, Path models, Path loras, OutputStore store,
                      BiFunction<LocalFarm, JobHandlers, JobHandlers> handlers,
                      TaskRenderer renderer) {
        this(local, models, loras, store, handlers, renderer, Duration.parse(JobLifecycle.DEFAULT_TASK_TIMEOUT));
    }

    private LocalFarm(Path local, Path models, Path loras, OutputStore store,
                      BiFunction<LocalFarm, JobHandlers, JobHandlers> handlers,
                      TaskRenderer renderer, Duration taskTimeout) {
        this(local, models, loras, store, handlers, renderer, taskTimeout, Optional.empty());
    }

    private LocalFarm(Path local, Path models, Path loras, OutputStore store,
                      BiFunction<LocalFarm, JobHandlers, JobHandlers> handlers,
                      TaskRenderer renderer, Duration taskTimeout, Optional<StoreBackedCatalog> farmWide) {
        this.local = local;
        this.models = models;
        this.queue = new LocalQueue(local);
        this.store = store;
        FarmMetrics metrics = new FarmMetrics(meters, registry, queue::backlog);
        JobReporting reporting = new JobReporting(registry,
                EventSinks.of(new EventLog(local.resolve("events.jsonl")), events), metrics);
        Supplier<SamplerRegistry> samplers = TestPlugins.samplers();
        this.intake = new JobIntake(new JobParser(new FarmCatalog(new ModelDirectory(models), samplers,
                new LoraDirectory(loras), farmWide, Optional.of(upscalerCatalog(local, farmWide)))), queue, reporting,
                IntakePolicy.DEFAULTS);
        // Every step gets an event, so that event order is deterministic.
        this.lifecycle = new JobLifecycle(intake, handlers.apply(this, JobHandlers.of(renderer,
                new ModelMerger(new ModelDirectory(models), store), JobHandlers.training(new ModelCache(
                        new ModelDirectory(models), TokenizerLocator.fromEnvironment()), store, datasets(local), loras,
                        TestPlugins.plugins()),
                JobHandlers.upscaling(new UpscalerCache(upscalerCatalog(local, farmWide)), InputPictures.from(store), store,
                        samplers, new EmbeddingDirectory(local.resolve("embeddings"))),
                store)), store, reporting,
                () -> new ProgressThrottle(1e9, System::nanoTime), taskTimeout);
    }

    /** The upscaler models folder of the farm over {@code local}: upscale jobs name files there. */
    public static Path upscalers(Path local) {
        return local.resolve("upscalers");
    }

    /** The farm's upscalers: its folder's, and with {@code farmWide} the store's, fetched into that folder. */
    private static UpscalerCatalog upscalerCatalog(Path local, Optional<StoreBackedCatalog> farmWide) {
        return new UpscalerCatalog(TestPlugins.plugins()::upscalers, new UpscalerDirectory(upscalers(local)), farmWide);
    }

    /** The datasets root of the farm over {@code local}: train jobs name folders there. */
    public static Path datasets(Path local) {
        return local.resolve("datasets");
    }

    /** Drops a job file into the queue folder, as a person or another program would. */
    public void drop(String name, String content) {
        try {
            Path staged = local.resolve("." + name);
            Files.writeString(staged, content, StandardCharsets.UTF_8);
            Files.move(staged, queue.queueDir().resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Runs every waiting job through the lifecycle, as the worker would. */
    public void runUntilIdle() {
        try {
            for (var delivery = queue.poll(Duration.ZERO); delivery.isPresent(); delivery = queue.poll(Duration.ZERO)) {
                lifecycle.handle(delivery.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** The stored object under {@code key}, which must exist. */
    public byte[] object(String key) {
        Optional<byte[]> bytes = store.get(key);
        return bytes.orElseThrow(() -> new AssertionError(key + " is not stored; stored: " + store.list("")));
    }
}

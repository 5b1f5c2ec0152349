package dev.diffarm.daemon.kafka;

import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.event.ProgressThrottle;
import dev.diffarm.daemon.job.BatchCompanions;
import dev.diffarm.daemon.job.FanOut;
import dev.diffarm.daemon.job.FarmMetrics;
import dev.diffarm.daemon.job.IntakePolicy;
import dev.diffarm.daemon.job.JobHandlers;
import dev.diffarm.daemon.job.JobIntake;
import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.job.JobRegistry;
import dev.diffarm.daemon.job.JobReporting;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.merge.ModelMerger;
import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.render.FarmCatalog;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.InputPictures;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.daemon.render.UpscalerCache;
import dev.diffarm.daemon.render.UpscalerCatalog;
import dev.diffarm.daemon.render.UpscalerDirectory;
import dev.diffarm.daemon.service.Worker;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * The daemon's job flow on Kafka, without Quarkus: jobs from a {@link KafkaJobSource}, events to a
 * {@link KafkaEventSink}, outputs in a local folder. {@link #handleNext()} does one turn of the worker's loop
 * on the test's thread.
 */
final class KafkaFarm implements AutoCloseable {
    final KafkaJobSource source;
    final KafkaEventSink events;
    final LocalOutputStore store;
    final JobRegistry registry = new JobRegistry(100);
    final JobIntake intake;
    final JobReporting reporting;
    private final JobLifecycle lifecycle;

    /** A farm that does not trust its jobs topic to name tenants: every job is tenant {@code local}'s. */
    KafkaFarm(FarmSettings.Topics topics, String group, Path outputs, Path models, TaskRenderer renderer) {
        this(topics, group, outputs, models, renderer, false);
    }

    /**
     * A farm whose jobs each store under their tenant's prefix, as the daemon's do; {@code trustTenants}: whether a
     * record's tenant header says whose job it is ({@code DIFFARM_KAFKA_TRUST_TENANT_HEADER}).
     */
    KafkaFarm(FarmSettings.Topics topics, String group, Path outputs, Path models, TaskRenderer renderer,
              boolean trustTenants) {
        this(topics, group, outputs, models, renderer, trustTenants, 0, 1);
    }

    /**
     * A farm that splits a render job or campaign of more than {@code chunkTasks} tasks into chunks for its group
     * ({@code DIFFARM_CHUNK_TASKS}); 0 never splits, but it runs the chunks of others, as every farm daemon does.
     */
    static KafkaFarm fanningOut(FarmSettings.Topics topics, String group, Path outputs, Path models,
                                TaskRenderer renderer, int chunkTasks) {
        return new KafkaFarm(topics, group, outputs, models, renderer, false, chunkTasks, 1);
    }

    /**
     * A farm whose worker renders up to {@code batchSize} image tasks as one batch, taking the first tasks of jobs
     * waiting in its source into a batch its job cannot fill ({@code DIFFARM_BATCH_SIZE}); its source holds as many
     * deliveries at once.
     */
    static KafkaFarm batching(FarmSettings.Topics topics, String group, Path outputs, Path models, TaskRenderer renderer,
                              int batchSize) {
        return new KafkaFarm(topics, group, outputs, models, renderer, false, 0, batchSize);
    }

    private KafkaFarm(FarmSettings.Topics topics, String group, Path outputs, Path models, TaskRenderer renderer,
                      boolean trustTenants, int chunkTasks, int batchSize) {
        this.source = TestKafka.source(topics, group, batchSize);
        this.events = new KafkaEventSink(KafkaClients.eventProducer(TestKafka.bootstrapServers(),
                group + "-events-" + UUID.randomUUID()), topics.events());
        this.store = new LocalOutputStore(outputs);
        this.reporting = new JobReporting(registry, events,
                new FarmMetrics(new SimpleMeterRegistry(), registry, source::backlog));
        this.intake = new JobIntake(new JobParser(new FarmCatalog(new ModelDirectory(models), TestPlugins.samplers(),
                new LoraDirectory(outputs.resolveSibling("loras")))), source, reporting,
                new IntakePolicy(IntakePolicy.DEFAULT_MAX_JOB_BYTES, trustTenants));
        ModelCache cache = new ModelCache(new ModelDirectory(models), TokenizerLocator.fromEnvironment());
        // Every step gets an event, so that event order is deterministic.
        BatchCompanions companions = BatchCompanions.fromWaiting(source, intake, store);
        this.lifecycle = JobLifecycle.perTenant(intake, tenantStore -> JobHandlers.of(renderer, batchSize, companions,
                        new ModelMerger(new ModelDirectory(models), tenantStore), JobHandlers.training(cache, tenantStore,
                                outputs.resolveSibling("datasets"), outputs.resolveSibling("loras"), TestPlugins.plugins()),
                        JobHandlers.upscaling(new UpscalerCache(new UpscalerCatalog(TestPlugins.plugins()::upscalers,
                                new UpscalerDirectory(outputs.resolveSibling("upscalers")))), InputPictures.from(store),
                                tenantStore, TestPlugins.plugins(), new EmbeddingDirectory(outputs.resolveSibling(
                                "embeddings"))), tenantStore),
                store, reporting, () -> new ProgressThrottle(1e9, System::nanoTime),
                Duration.parse(JobLifecycle.DEFAULT_TASK_TIMEOUT)).withFanOut(new FanOut(source, chunkTasks));
    }

    /** A worker taking this farm's deliveries on a thread of its own, as the daemon's do; not started. */
    Worker worker(String name) {
        return new Worker(name, source, lifecycle, () -> true);
    }

    /** Takes the next delivery and runs it through the job lifecycle, as the worker does; returns it. */
    Delivery handleNext() throws InterruptedException {
        Delivery delivery = TestKafka.next(source);
        handle(delivery);
        return delivery;
    }

    void handle(Delivery delivery) {
        lifecycle.handle(delivery);
    }

    /** Stops like a daemon: a delivery not settled is delivered again to the next farm on the same group. */
    @Override
    public void close() {
        source.close();
        events.close();
    }
}

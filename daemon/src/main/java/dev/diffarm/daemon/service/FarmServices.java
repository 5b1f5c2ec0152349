package dev.diffarm.daemon.service;

import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.event.EventSinks;
import dev.diffarm.daemon.event.ProgressThrottle;
import dev.diffarm.daemon.job.BatchCompanions;
import dev.diffarm.daemon.job.FanOut;
import dev.diffarm.daemon.job.FarmCancellation;
import dev.diffarm.daemon.job.FarmJobEnds;
import dev.diffarm.daemon.job.FarmMetrics;
import dev.diffarm.daemon.job.IntakePolicy;
import dev.diffarm.daemon.job.JobHandlers;
import dev.diffarm.daemon.job.JobIntake;
import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.job.JobRegistry;
import dev.diffarm.daemon.job.JobReporting;
import dev.diffarm.daemon.job.TenantQuota;
import dev.diffarm.daemon.kafka.KafkaClients;
import dev.diffarm.daemon.kafka.KafkaSecurity;
import dev.diffarm.daemon.kafka.KafkaEventSink;
import dev.diffarm.daemon.kafka.KafkaJobSource;
import dev.diffarm.daemon.kafka.KafkaJobView;
import dev.diffarm.daemon.local.CrashGuardedSource;
import dev.diffarm.daemon.local.EventLog;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.local.LocalQueue;
import dev.diffarm.daemon.merge.ModelMerger;
import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.daemon.port.JobSource;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.ControlNetCatalog;
import dev.diffarm.daemon.render.ControlNetDirectory;
import dev.diffarm.daemon.render.EngineRenderer;
import dev.diffarm.daemon.render.InputPictures;
import dev.diffarm.daemon.render.LoadedModels;
import dev.diffarm.daemon.render.LocalPublisher;
import dev.diffarm.daemon.render.PublishedFolder;
import dev.diffarm.daemon.render.FarmCatalog;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.ModeCatalogs;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.StoreBackedCatalog;
import dev.diffarm.daemon.render.UpscalerCache;
import dev.diffarm.daemon.render.UpscalerCatalog;
import dev.diffarm.daemon.render.UpscalerDirectory;
import dev.diffarm.daemon.s3.S3OutputStore;
import dev.diffarm.daemon.s3.S3Transport;
import dev.diffarm.daemon.status.FarmJobStatuses;
import dev.diffarm.daemon.status.FarmJobs;
import dev.diffarm.daemon.status.JobCancels;
import dev.diffarm.daemon.status.JobStatuses;
import dev.diffarm.daemon.status.NodeJobStatuses;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.device.Precision;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobParser;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.enterprise.inject.Typed;
import jakarta.inject.Singleton;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Builds the daemon from its configuration: which adapter serves each port (the embedded defaults when no
 * Kafka or S3 is configured), and the one job lifecycle over them. Adapters for other transports are chosen
 * here, in {@link #jobSource}, {@link #outputStore} and {@link #events}; nothing else changes with them.
 */
@Singleton
public class FarmServices {
    private static final Logger LOG = Logger.getLogger(FarmServices.class);
    private static final Duration STORE_CHECK_INTERVAL = Duration.ofSeconds(5);
    private static final Duration PUBLISH_CHECK_INTERVAL = Duration.ofSeconds(10);

    @Produces
    @Singleton
    FarmSettings settings(DaemonConfig config) {
        FarmSettings settings = config.farmSettings(System.getProperty("user.home"));
        LOG.infof("models in %s, LoRAs in %s, embeddings in %s; %s", settings.modelsDir(), settings.loraDir(),
                settings.embeddingsDir(), settings.isEmbedded()
                ? "embedded queue and outputs in " + settings.localDir() : "Kafka " + settings.kafka() + ", " + settings.s3());
        return settings;
    }

    /** The Kafka clients' TLS and SASL settings, their secret files read once at start. */
    @Produces
    @Singleton
    KafkaSecurity kafkaSecurity(DaemonConfig config) {
        return KafkaSecurity.of(config.kafka().security());
    }

    /** {@value WorkerDevices#SETTING}: a worker per device; a setting that names no usable device stops the start. */
    @Produces
    @Singleton
    WorkerDevices devices(DaemonConfig config) {
        return WorkerDevices.of(config.devices(), WorkerDevices::gpusDjlSees);
    }

    @Produces
    @Singleton
    JobSource jobSource(FarmSettings settings, KafkaSecurity security, WorkerDevices devices, StoreWatch storeWatch,
                        DaemonConfig config) {
        if (settings.kafka().isPresent()) {
            FarmSettings.Kafka kafka = settings.kafka().get();
            LOG.infof("jobs from Kafka topic %s at %s as group %s (client %s, %s), dead letters to %s",
                    settings.topics().jobs(), kafka.bootstrapServers(), KafkaClients.GROUP_ID,
                    KafkaClients.clientId("jobs"), security, settings.topics().deadLetters());
            // A worker that starts a batch takes waiting jobs that fit it out of the handoff: room for a batch each.
            int deliveries = devices.count() * JobHandlers.checkedBatchSize(config.batchSize());
            KafkaJobSource kafkaJobs = KafkaJobSource.forFarm(kafka, settings.topics(), security, deliveries);
            // A node whose store fails leaves the group: its partitions' jobs go to the nodes that can store.
            kafkaJobs.workOnlyWhile(storeWatch::isAvailable);
            return new CrashGuardedSource(kafkaJobs, settings.localDir());
        }
        return new CrashGuardedSource(new LocalQueue(settings.localDir()), settings.localDir());
    }

    void closeJobSource(@Disposes JobSource source) {
        source.close();
    }

    /** No request is sent here: {@link #storeWatch} finds out whether the store can be used, and keeps asking. */
    @Produces
    @Singleton
    OutputStore outputStore(FarmSettings settings, DaemonConfig config) {
        S3Transport transport = config.s3().transport();
        return settings.s3().<OutputStore>map(s3 -> new S3OutputStore(s3, transport))
                .orElseGet(() -> new LocalOutputStore(settings.localOutputDir()));
    }

    void closeOutputStore(@Disposes OutputStore store) {
        store.close();
    }

    @Produces
    @Singleton
    StoreWatch storeWatch(OutputStore store) {
        StoreWatch watch = new StoreWatch(store, STORE_CHECK_INTERVAL);
        watch.start();
        return watch;
    }

    void closeStoreWatch(@Disposes StoreWatch watch) {
        watch.close();
    }

    /** Typed as itself only: the one {@link EventSink} bean is the composite of all sinks. */
    @Produces
    @Singleton
    @Typed(EventBroadcaster.class)
    EventBroadcaster broadcaster(DaemonConfig config) {
        return new EventBroadcaster(config.retainedJobs(), config.retainedEventsPerJob());
    }

    /**
     * Events go where jobs come from: with Kafka, to the events topic (the farm's record of them, which every
     * consumer can read); without, to the local {@code events.jsonl}. Not both: on a farm that file would only
     * grow on each node's disk, holding what the topic holds. With Kafka the event streams are fed from the topic
     * ({@link #statuses}), every node's events alike; without, by this node's events as they are published.
     */
    @Produces
    @Singleton
    EventSink events(FarmSettings settings, KafkaSecurity security, EventBroadcaster broadcaster) {
        if (settings.kafka().isPresent()) {
            String bootstrapServers = settings.kafka().get().bootstrapServers();
            LOG.infof("events to Kafka topic %s", settings.topics().events());
            return EventSinks.of(new KafkaEventSink(security.applyTo(KafkaClients.eventProducer(bootstrapServers,
                    KafkaClients.clientId("events"))), settings.topics().events()));
        }
        return EventSinks.of(new EventLog(settings.localDir().resolve("events.jsonl")), broadcaster);
    }

    void closeEvents(@Disposes EventSink events) {
        events.close();
    }

    /**
     * What {@code GET /jobs/{id}} and its event stream answer from. With Kafka: the farm's jobs, read from the events
     * topic by a view of this node's own ({@link KafkaJobView}), so that every node answers alike; started with the
     * daemon, as its replay of the topic takes a while. Without: the jobs this node ran.
     */
    @Produces
    @Singleton
    @Startup
    JobStatuses statuses(FarmSettings settings, KafkaSecurity security, DaemonConfig config, JobRegistry registry,
                         EventBroadcaster broadcaster, MeterRegistry meters) {
        JobStatuses node = new NodeJobStatuses(registry, broadcaster);
        if (settings.kafka().isEmpty()) {
            return node;
        }
        FarmJobs farm = new FarmJobs(config.retainedJobs(), broadcaster);
        KafkaJobView view = new KafkaJobView(security.applyTo(KafkaJobView.consumerConfig(
                settings.kafka().get().bootstrapServers(), KafkaClients.clientId("view"))), settings.topics().events(), farm,
                new FarmJobEnds(registry));
        Gauge.builder("diffarm.status.view.lag", view, v -> v.lagMillis() / 1000.0).baseUnit("seconds")
                .description("time from the latest job event's production to its arrival in this node's job view")
                .register(meters);
        view.start();
        LOG.infof("job status from Kafka topic %s (every node's events, the latest %d jobs)", settings.topics().events(),
                config.retainedJobs());
        return new FarmJobStatuses(farm, node, view);
    }

    void closeStatuses(@Disposes JobStatuses statuses) {
        statuses.close();
    }

    /** {@code DELETE /jobs/{id}}: a job as {@link #statuses} shows it, cancelled on whichever nodes run it. */
    @Produces
    @Singleton
    JobCancels cancels(JobStatuses statuses, JobRegistry registry, JobIntake intake, OutputStore store,
                       JobReporting reporting) {
        return new JobCancels(statuses, registry, intake, new FarmCancellation(store, reporting));
    }

    @Produces
    @Singleton
    ModelDirectory models(FarmSettings settings) {
        return new ModelDirectory(settings.modelsDir());
    }

    @Produces
    @Singleton
    LoraDirectory loras(FarmSettings settings) {
        return new LoraDirectory(settings.loraDir());
    }

    @Produces
    @Singleton
    EmbeddingDirectory embeddings(FarmSettings settings) {
        return new EmbeddingDirectory(settings.embeddingsDir());
    }

    /** The farm-wide catalog: what the store holds beside the node's folders, fetched into them when needed. */
    @Produces
    @Singleton
    StoreBackedCatalog storeCatalog(FarmSettings settings, OutputStore store, DaemonConfig config) {
        return new StoreBackedCatalog(store, StoreBackedCatalog.Folders.of(settings.modelsDir(), settings.loraDir(),
                settings.embeddingsDir(), settings.controlnetsDir(), settings.upscalersDir()), config.cacheMaxBytes(),
                Clock.systemUTC());
    }

    /**
     * Makes the node's own items farm-wide, from start on ({@link io.quarkus.runtime.Startup}), on a thread of its own;
     * only with a shared (S3) store and {@value LocalPublisher#SETTING} on.
     */
    @Produces
    @Singleton
    @io.quarkus.runtime.Startup
    LocalPublisher localPublisher(FarmSettings settings, OutputStore store, StoreWatch storeWatch, DaemonConfig config) {
        LocalPublisher publisher = new LocalPublisher(store, List.of(PublishedFolder.models(settings.modelsDir()),
                PublishedFolder.loras(settings.loraDir()), PublishedFolder.embeddings(settings.embeddingsDir()),
                PublishedFolder.upscalers(settings.upscalersDir()), PublishedFolder.controlNets(settings.controlnetsDir())),
                storeWatch::isAvailable, PUBLISH_CHECK_INTERVAL);
        if (settings.s3().isPresent() && config.publishLocal()) {
            publisher.start();
        } else {
            LOG.infof("this node's folders are not published to the store (%s)", settings.s3().isEmpty()
                    ? "no shared store" : LocalPublisher.SETTING + "=false");
        }
        return publisher;
    }

    void closeLocalPublisher(@Disposes LocalPublisher publisher) {
        publisher.close();
    }

    @Produces
    @Singleton
    SamplerPlugins samplerPlugins(FarmSettings settings) {
        return new SamplerPlugins(settings.pluginsDir(), SamplerPlugins.class.getClassLoader());
    }

    void closeSamplerPlugins(@Disposes SamplerPlugins plugins) {
        plugins.close();
    }

    @Produces
    @Singleton
    JobRegistry registry(DaemonConfig config) {
        DaemonConfig.Quota quota = config.quota();
        return new JobRegistry(config.retainedJobs(),
                new TenantQuota(quota.activeJobs(), quota.tasksPerJob(), quota.queuedTasks()));
    }

    @Produces
    @Singleton
    FarmMetrics metrics(MeterRegistry meters, JobRegistry registry, JobSource source) {
        return new FarmMetrics(meters, registry, source::backlog);
    }

    @Produces
    @Singleton
    JobReporting reporting(JobRegistry registry, EventSink events, FarmMetrics metrics) {
        return new JobReporting(registry, events, metrics);
    }

    @Produces
    @Singleton
    JobIntake intake(DaemonConfig config, FarmSettings settings, ModelDirectory models, SamplerPlugins samplers,
                     LoraDirectory loras, StoreBackedCatalog storeCatalog, UpscalerCatalog upscalers, JobSource source,
                     JobReporting reporting, ControlNetCatalog controlNets) {
        // The local queue is this daemon's own folder: the tenant in a job file's name is believed; a Kafka
        // record's tenant header only where the topic is configured as trusted.
        boolean trustSourceTenants = settings.kafka().isEmpty() || config.kafka().trustTenantHeader();
        return new JobIntake(new JobParser(new FarmCatalog(models, samplers, loras, Optional.of(storeCatalog),
                Optional.of(upscalers), Optional.of(controlNets))), source,
                reporting, new IntakePolicy(config.maxJobBytes(), trustSourceTenants, config.admit().budget()));
    }

    /** A worker per device, each with its own model cache and the job lifecycle over it; started by {@link WorkerStartup}. */
    @Produces
    @Singleton
    WorkerPool workers(DaemonConfig config, FarmSettings settings, WorkerDevices devices, JobIntake intake,
                       SamplerPlugins samplers, LoraDirectory loras, EmbeddingDirectory embeddings, ModelDirectory models,
                       OutputStore store, StoreWatch storeWatch, JobReporting reporting, JobSource source,
                       StoreBackedCatalog storeCatalog, UpscalerCatalog upscalers, MeterRegistry meters,
                       ControlNetCatalog controlNets) {
        double perSecond = config.progressEventsPerSecond();
        int batchSize = JobHandlers.checkedBatchSize(config.batchSize());
        int chunkTasks = FanOut.checkedChunkTasks(config.chunkTasks());
        Optional<FanOut> fanOut = source.parts().map(parts -> new FanOut(parts, chunkTasks));
        Optional<Precision> precision = Precision.parse("DIFFARM_PRECISION", config.precision());
        WorkerPool workers = new WorkerPool(devices, source, device -> {
            // the worker's models, their renders and training runs live on its device
            ModelCache modelCache = new ModelCache(models, TokenizerLocator.fromEnvironment(), Optional.of(storeCatalog),
                    config.modelCacheBytes().orElseGet(() -> ModelCache.defaultBudget(devices.count())),
                    Placement.of(device.device(), precision));
            UpscalerCache upscalerCache = new UpscalerCache(upscalers, modelCache.weights(), device.device());
            EngineRenderer renderer = new EngineRenderer(modelCache, samplers, loras, embeddings,
                    InputPictures.from(store), Optional.of(storeCatalog),
                    new ModeCatalogs(Optional.of(upscalers), Optional.of(controlNets)), Optional.of(upscalerCache));
            // A worker's batches take tasks of the jobs waiting for it too: it runs those jobs next.
            BatchCompanions companions = BatchCompanions.fromWaiting(source, intake, store);
            // Each tenant's jobs get handlers over its own part of the store (tenants/<tenant>/...).
            JobLifecycle lifecycle = JobLifecycle.perTenant(intake, tenantStore -> JobHandlers.of(renderer,
                            batchSize, companions, new ModelMerger(models, tenantStore),
                            JobHandlers.training(modelCache, tenantStore, settings.datasetsDir(), settings.loraDir(),
                                    samplers),
                            JobHandlers.upscaling(upscalerCache, InputPictures.from(store), tenantStore,
                                    samplers, embeddings), tenantStore),
                    store, reporting, () -> new ProgressThrottle(perSecond, System::nanoTime), config.taskTimeout());
            return new WorkerPool.DeviceWork(modelCache, fanOut.map(lifecycle::withFanOut).orElse(lifecycle), upscalerCache);
        }, storeWatch::isAvailable);
        workers.registerMeters(meters);
        return workers;
    }

    void closeWorkers(@Disposes WorkerPool workers) {
        workers.close();
    }

    /** The models the workers hold loaded, for the catalog and readiness. */
    @Produces
    @Singleton
    LoadedModels loadedModels(WorkerPool workers) {
        return workers.loadedModels();
    }

    @Produces
    @Singleton
    ControlNetDirectory controlNetDirectory(FarmSettings settings) {
        return new ControlNetDirectory(settings.controlnetsDir());
    }

    @Produces
    @Singleton
    ControlNetCatalog controlNets(ControlNetDirectory directory, SamplerPlugins plugins, StoreBackedCatalog storeCatalog) {
        return new ControlNetCatalog(directory, plugins::preprocessors, Optional.of(storeCatalog));
    }

    @Produces
    @Singleton
    UpscalerCatalog upscalers(FarmSettings settings, SamplerPlugins plugins, StoreBackedCatalog storeCatalog) {
        return new UpscalerCatalog(plugins::upscalers, new UpscalerDirectory(settings.upscalersDir()),
                Optional.of(storeCatalog));
    }
}

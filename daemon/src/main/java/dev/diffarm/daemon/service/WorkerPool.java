package dev.diffarm.daemon.service;

import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.port.JobSource;
import dev.diffarm.daemon.render.LoadedModels;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.UpscalerCache;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * This node's workers, one per device ({@link WorkerDevices}), all taking deliveries from the one job source at the
 * same time: a training task of hours on one device does not hold up the renders of another. Each worker owns its
 * device's {@link ModelCache} (a model is loaded once per device that renders it) and the job lifecycle over it. A
 * worker takes, among the jobs waiting, one naming a model its cache holds first (model affinity), so that two workers
 * with two models loaded do not swap them.
 */
public final class WorkerPool implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WorkerPool.class);

    private final List<Worker> workers;
    private final List<ModelCache> caches;
    private final List<UpscalerCache> upscalers;

    /**
     * One device's model cache, the job lifecycle whose handlers render and train with it, and its upscaler cache.
     */
    public record DeviceWork(ModelCache cache, JobLifecycle lifecycle, UpscalerCache upscalers) {
    }

    /**
     * @param work     the model cache and lifecycle of one device, made once per device
     * @param canStore whether outputs can be stored now ({@link StoreWatch#isAvailable()})
     */
    public WorkerPool(WorkerDevices devices, JobSource source, Function<WorkerDevices.WorkerDevice, DeviceWork> work,
                      BooleanSupplier canStore) {
        List<Worker> made = new ArrayList<>();
        List<ModelCache> madeCaches = new ArrayList<>();
        List<UpscalerCache> madeUpscalers = new ArrayList<>();
        for (int i = 0; i < devices.count(); i++) {
            WorkerDevices.WorkerDevice device = devices.all().get(i);
            DeviceWork own = work.apply(device);
            madeCaches.add(own.cache());
            madeUpscalers.add(own.upscalers());
            made.add(new Worker("diffarm-worker-" + i, device.name(), source, own.lifecycle(), canStore,
                    () -> Set.copyOf(own.cache().loadedNames())));
        }
        this.workers = List.copyOf(made);
        this.caches = List.copyOf(madeCaches);
        this.upscalers = List.copyOf(madeUpscalers);
    }

    public List<Worker> workers() {
        return workers;
    }

    /**
     * Registers each worker's meters, tagged {@code worker} and {@code device}: {@code diffarm_worker_busy} (1 while it
     * has a job in hand) and {@code diffarm_worker_jobs_total} (deliveries it took up).
     */
    public void registerMeters(MeterRegistry registry) {
        for (Worker worker : workers) {
            Gauge.builder("diffarm.worker.busy", worker, each -> each.current().isPresent() ? 1 : 0)
                    .tag("worker", worker.name()).tag("device", worker.device())
                    .description("Whether the worker has a job in hand").register(registry);
            FunctionCounter.builder("diffarm.worker.jobs", worker, Worker::jobsTaken)
                    .tag("worker", worker.name()).tag("device", worker.device())
                    .description("Deliveries the worker took up").register(registry);
        }
    }

    /** The models the workers' caches hold. */
    public LoadedModels loadedModels() {
        return new LoadedModels(caches);
    }

    public void start() {
        LOG.infof("%d worker(s) on %s", workers.size(), workers.stream().map(Worker::device).toList());
        workers.forEach(Worker::start);
    }

    /** Stops every worker, waiting up to {@code wait} in all for the jobs at hand. */
    public void stop(Duration wait) {
        workers.forEach(Worker::requestStop);
        long deadline = System.nanoTime() + wait.toNanos();
        for (Worker worker : workers) {
            worker.awaitStop(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
        }
    }

    /** Stops the workers, then unloads their models and upscalers. */
    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
        caches.forEach(ModelCache::close);
        upscalers.forEach(UpscalerCache::close);
    }
}

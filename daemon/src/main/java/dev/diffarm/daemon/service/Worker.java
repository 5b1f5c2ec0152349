package dev.diffarm.daemon.service;

import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.port.JobSource;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One device's worker: a thread that takes deliveries from the source one at a time and runs each through
 * the job lifecycle. Stopping lets the job at hand finish its step of the loop; a job still running when the
 * process ends is delivered again on the next start. While its outputs cannot be stored the worker takes no
 * job, which would only fail; it waits in its source.
 */
public final class Worker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Worker.class);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration PAUSE_AFTER_ERROR = Duration.ofSeconds(1);

    private final String device;
    private final JobSource source;
    private final JobLifecycle lifecycle;
    private final BooleanSupplier canStore;
    private final Supplier<Set<String>> loadedModels;
    private final Thread thread;
    private volatile boolean stopping;
    /** Where the delivery at hand came from, while the worker has one. */
    private volatile String current;
    private final AtomicLong jobsTaken = new AtomicLong();

    /** A worker on the CPU. */
    public Worker(String name, JobSource source, JobLifecycle lifecycle, BooleanSupplier canStore) {
        this(name, "cpu", source, lifecycle, canStore);
    }

    /**
     * @param device   the device it renders on, as {@link WorkerDevices} names it ({@code cpu}, {@code cuda:1})
     * @param canStore whether outputs can be stored now ({@link StoreWatch#isAvailable()})
     */
    public Worker(String name, String device, JobSource source, JobLifecycle lifecycle, BooleanSupplier canStore) {
        this(name, device, source, lifecycle, canStore, Set::of);
    }

    /**
     * @param loadedModels the models the worker's cache holds loaded: among the jobs waiting, it takes one that names
     *                     one of them first (model affinity)
     */
    public Worker(String name, String device, JobSource source, JobLifecycle lifecycle, BooleanSupplier canStore,
                  Supplier<Set<String>> loadedModels) {
        this.loadedModels = loadedModels;
        this.device = device;
        this.source = source;
        this.lifecycle = lifecycle;
        this.canStore = canStore;
        this.thread = new Thread(this::loop, name);
        // The process may end mid-job: the delivery stays unsettled and comes back.
        this.thread.setDaemon(true);
    }

    public void start() {
        thread.start();
    }

    /** Whether the worker's thread runs (liveness). */
    public boolean isAlive() {
        return thread.isAlive();
    }

    public String name() {
        return thread.getName();
    }

    public String device() {
        return device;
    }

    /** The origin of the delivery the worker has in hand ({@code queue/...json}, {@code diffarm.jobs-2@17}), if any. */
    public Optional<String> current() {
        return Optional.ofNullable(current);
    }

    private void loop() {
        LOG.infof("%s started on %s", thread.getName(), device);
        while (!stopping) {
            try {
                if (!canStore.getAsBoolean()) {
                    if (!pause(POLL)) {
                        break;
                    }
                    continue;
                }
                source.poll(POLL, loadedModels.get()).ifPresent(this::handle);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (RuntimeException | LinkageError e) {
                // A broken source (a full disk, a lost broker) must not end the worker: try again shortly.
                LOG.errorf(e, "%s: taking the next job failed", thread.getName());
                if (!pause(PAUSE_AFTER_ERROR)) {
                    break;
                }
            }
        }
        LOG.infof("%s stopped", thread.getName());
    }

    /** How many deliveries the worker has taken up. */
    public long jobsTaken() {
        return jobsTaken.get();
    }

    private void handle(Delivery delivery) {
        jobsTaken.incrementAndGet();
        current = delivery.origin();
        try {
            lifecycle.handle(delivery);
        } finally {
            current = null;
        }
    }

    private boolean pause(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Stops taking jobs and waits up to {@code wait} for the job at hand. */
    public void stop(Duration wait) {
        requestStop();
        awaitStop(wait);
    }

    /** Takes no job after the one at hand. */
    void requestStop() {
        stopping = true;
    }

    /** Waits up to {@code wait} for the worker's thread to end, after {@link #requestStop()}. */
    void awaitStop(Duration wait) {
        try {
            thread.join(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (thread.isAlive()) {
            LOG.warnf("%s is still busy; its job will be delivered again on the next start", thread.getName());
        }
    }

    @Override
    public void close() {
        stop(Duration.ofSeconds(10));
    }
}

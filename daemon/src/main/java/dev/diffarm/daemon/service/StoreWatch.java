package dev.diffarm.daemon.service;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Runs {@link OutputStore#check()} at start and then every {@code interval} on a thread of its own, and
 * remembers the outcome: the worker takes jobs only while the store passes, and readiness reports why not.
 * A store that is down (an S3 endpoint that does not answer, refused credentials) therefore neither stops
 * the daemon from starting nor fails the jobs it would take; the node reports not ready, logs the problem
 * once, and starts working when the store answers.
 */
public final class StoreWatch implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(StoreWatch.class);

    private final OutputStore store;
    private final Duration interval;
    private final ScheduledExecutorService timer;
    private volatile Optional<String> problem = Optional.of("not checked yet");

    public StoreWatch(OutputStore store, Duration interval) {
        this.store = store;
        this.interval = interval;
        this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "diffarm-store-watch");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Checks the store now, and then every interval. */
    public void start() {
        timer.scheduleWithFixedDelay(this::check, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Whether the last check passed. */
    public boolean isAvailable() {
        return problem.isEmpty();
    }

    /** Why the last check failed; empty when it passed. */
    public Optional<String> problem() {
        return problem;
    }

    /** Checks the store once and logs a change of its state (not every failed retry). */
    void check() {
        Optional<String> now;
        try {
            store.check();
            now = Optional.empty();
        } catch (StoreException e) {
            now = Optional.of(e.getMessage());
        } catch (RuntimeException e) {
            // Whatever it is, the store is not usable; a scheduled task that throws is never run again.
            now = Optional.of(e.toString());
        }
        Optional<String> before = problem;
        problem = now;
        if (now.isPresent() && !now.equals(before)) {
            LOG.errorf("outputs cannot be stored, so no jobs are taken until they can (checking every %d s): %s",
                    interval.toSeconds(), now.get());
        } else if (now.isEmpty() && before.isPresent()) {
            LOG.infof("outputs go to %s", store.location());
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

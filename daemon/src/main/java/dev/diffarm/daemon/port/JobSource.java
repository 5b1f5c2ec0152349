package dev.diffarm.daemon.port;

import java.time.Duration;
import java.util.Optional;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where jobs come from: the local queue folder on a laptop, the Kafka topic {@code diffarm.jobs} on a farm.
 * The worker takes one {@link Delivery} at a time and settles it once the job has reached its end:
 * {@link Delivery#acknowledge()} only after the job's outputs are stored, so that a daemon that dies
 * mid-job gets the same job again from its source after a restart (at-least-once delivery). The job
 * lifecycle makes a second delivery harmless: stored tasks are skipped.
 *
 * <p>A source is used by one worker thread; {@link #enqueue} and {@link #backlog} may be called from any
 * thread. A job may run for hours between {@link #poll} and its settlement: a transport that needs tending
 * meanwhile (a Kafka consumer must poll within {@code max.poll.interval.ms}) tends it on its own thread, for
 * example pausing its partitions, polling, and committing the offset once the delivery is acknowledged.
 */
public interface JobSource extends AutoCloseable {

    /**
     * The next submission, waiting at most {@code timeout} for one.
     *
     * @return empty when none arrived in time
     * @throws InterruptedException when the worker is being stopped
     */
    Optional<Delivery> poll(Duration timeout) throws InterruptedException;

    /**
     * The next submission, as {@link #poll(Duration)}, preferring among those waiting one whose job names a model of
     * {@code loadedModels} (model affinity: the worker polling has them loaded); a source that cannot tell gives the
     * next one.
     */
    default Optional<Delivery> poll(Duration timeout, Set<String> loadedModels) throws InterruptedException {
        return poll(timeout);
    }

    /**
     * Takes, for the calling worker, up to {@code max} of the submissions waiting to be taken that {@code fits} accepts,
     * oldest first: the worker's next polls return them, in this order, before anything else, and each is then settled
     * like any delivery (one never polled is delivered again after a restart, as any unsettled one). Cross-job batching
     * uses it: a worker that starts a batch renders the first tasks of waiting jobs that fit the batch with it, and runs
     * those jobs next. {@code fits} sees a waiting submission without taking it; it must not settle it. A source that
     * cannot look at its waiting submissions takes none (the default).
     *
     * @return the submissions taken, in the order the next polls return them
     */
    default List<Delivery> takeWaiting(Predicate<Delivery> fits, int max) {
        return List.of();
    }

    /**
     * Adds a job to the source, as a producer would (the REST intake uses it, so that a job it accepted
     * survives a restart like any other), with its tenant where {@link Delivery#tenant()} reads it back: whichever
     * daemon takes it up, after a restart too, runs it as that tenant (where it trusts the source to name tenants).
     *
     * @param jobId  the job's id, the record key
     * @param json   the job as JSON
     * @param tenant whose job it is
     */
    void enqueue(String jobId, String json, String tenant);

    /**
     * Where this source's daemons put the parts of large jobs for each other ({@link JobParts}), delivered by this
     * source; empty (the local queue) when it has none: every job runs whole on the daemon that takes it.
     */
    default Optional<JobParts> parts() {
        return Optional.empty();
    }

    /** How many submissions wait to be taken, when the source can tell. */
    OptionalLong backlog();

    /** Why the source cannot deliver jobs now (its broker is out of reach), for readiness; empty when it can. */
    default Optional<String> problem() {
        return Optional.empty();
    }

    /** Stops taking submissions; unsettled deliveries are redelivered by the next source over the same place. */
    @Override
    void close();
}

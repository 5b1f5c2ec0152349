package dev.diffarm.daemon.port;

import dev.diffarm.farm.config.JobEvent;

/**
 * Where the farm reports what happens to jobs: the Kafka topic {@code diffarm.events} keyed by
 * {@link JobEvent#recordKey()} (the job id) on a farm, a local {@code events.jsonl} on a laptop, and always
 * the in-memory broadcast behind {@code GET /jobs/{id}/events}. Events of one job are published in their
 * order from one thread; a sink keeps that order.
 */
@FunctionalInterface
public interface EventSink extends AutoCloseable {

    /** Publishes one event. A sink that cannot deliver it logs the failure rather than stopping the job. */
    void publish(JobEvent event);

    /** Delivers what is still on its way, and lets go of connections. */
    @Override
    default void close() {
    }
}

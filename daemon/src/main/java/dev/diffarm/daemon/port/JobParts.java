package dev.diffarm.daemon.port;

import java.util.List;
import java.util.OptionalInt;

/**
 * Where a daemon puts the parts of a large job so that every daemon of its group takes some (fan-out): on a farm,
 * the Kafka topic {@code diffarm.chunks}, consumed by the same {@link JobSource} as the jobs and delivered as
 * {@link Delivery#isJobPart() parts}. A daemon without one (the local queue) runs every job itself.
 */
public interface JobParts {

    /**
     * One record. With a {@code turn}, it goes to partition {@code turn mod partitions}, so that consecutive turns
     * (the chunks of a job) land on every partition alike rather than where their keys' hashes happen to fall; without,
     * to its key's partition (so all records of one key stay in order on one partition).
     */
    record Part(String key, byte[] payload, OptionalInt turn) {
    }

    /**
     * Sends the parts and returns once the broker has stored every one.
     *
     * @throws RuntimeException (the transport's) when one was not stored, saying which
     */
    void send(List<Part> parts);
}

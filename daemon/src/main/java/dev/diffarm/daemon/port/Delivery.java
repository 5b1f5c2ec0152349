package dev.diffarm.daemon.port;

import java.util.Optional;

/**
 * One submission taken from a {@link JobSource}, to be settled exactly once: acknowledged when the job has
 * reached its end, or dead-lettered when it is no job at all. A delivery left unsettled (the daemon died) is
 * delivered again.
 */
public interface Delivery {
    /** The record header that names a submission's tenant. */
    String TENANT_HEADER = "diffarm-tenant";

    /** The submission as it was sent, normally a job's JSON. */
    byte[] payload();

    /** The payload's size in bytes, known before it is read: a submission too large is refused unread. */
    default long size() {
        return payload().length;
    }

    /** Where it came from, for logs and dead letters: a file name, or topic, partition and offset. */
    String origin();

    /**
     * The tenant the submission says it belongs to, when its transport carries one (the Kafka header
     * {@value #TENANT_HEADER}). Believed only where the farm is configured to trust it.
     */
    default Optional<String> tenant() {
        return Optional.empty();
    }

    /**
     * Whether the source has taken the submission back while a worker has it: Kafka moved its partition to another
     * daemon, which delivers it again. Its job stops at its next step rather than finish as a duplicate, and settling
     * it settles nothing. A local queue never takes a job back.
     */
    default boolean isWithdrawn() {
        return false;
    }

    /**
     * Whether this is a part of a job that a daemon split for the whole group (a chunk of its tasks, or its finalize
     * record: {@link JobParts}), rather than a submission. Only a farm's source delivers parts.
     */
    default boolean isJobPart() {
        return false;
    }

    /**
     * Settles a submission that reached its end: a completed job (called only after its outputs are
     * stored), a failed, cancelled or rejected one. It will not be delivered again.
     */
    void acknowledge();

    /**
     * Settles a submission that is not a job (not JSON, or JSON that is no diffarm job) by moving it to the
     * source's dead-letter place with {@code reason}, where people can look at it.
     */
    void deadLetter(String reason);
}

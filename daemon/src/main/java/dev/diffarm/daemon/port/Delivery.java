package dev.diffarm.daemon.port;

/**
 * One submission taken from a {@link JobSource}, to be settled exactly once: acknowledged when the job has
 * reached its end, or dead-lettered when it is no job at all. A delivery left unsettled (the daemon died) is
 * delivered again.
 */
public interface Delivery {

    /** The submission as it was sent, normally a job's JSON. */
    byte[] payload();

    /** Where it came from, for logs and dead letters: a file name, or topic, partition and offset. */
    String origin();

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

package dev.diffarm.daemon.status;

/** What feeds a {@link FarmJobs} with the farm's events, and how far it has got. */
public interface EventFeed extends AutoCloseable {
    /** Whether the events there were when it started have all been taken in. */
    boolean isCaughtUp();

    /** Events taken in so far. */
    long applied();

    /** Stops feeding. */
    @Override
    void close();
}

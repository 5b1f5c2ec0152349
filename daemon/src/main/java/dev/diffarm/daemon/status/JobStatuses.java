package dev.diffarm.daemon.status;

import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.job.JobStatus;
import java.util.Optional;

/**
 * Where {@code GET /jobs/{id}} and its event stream learn about jobs: on a node of its own, the jobs it ran
 * ({@link NodeJobStatuses}); on a Kafka farm, every node's jobs from the events topic ({@link FarmJobStatuses}).
 */
public interface JobStatuses extends AutoCloseable {
    /** The job's status; empty when it is not known here. */
    Optional<JobStatus> find(String id);

    /** Whether the job has nothing more to tell: it ended, or it is not known. */
    boolean hasEnded(String id);

    /** The jobs' events, replayed to a late subscriber and then followed. */
    EventBroadcaster events();

    /** Why it cannot answer for every job yet (it is still reading the farm's events); empty when it can. */
    default Optional<String> problem() {
        return Optional.empty();
    }

    /** Stops what feeds it, if anything does. */
    @Override
    default void close() {
    }
}

package dev.diffarm.daemon.status;

import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.job.JobStatus;
import dev.diffarm.farm.config.JobEvent;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The farm's jobs as its events topic tells them, on one node: each job's status ({@link FarmJob}) and its events for
 * {@code GET /jobs/{id}/events} (an {@link EventBroadcaster}). Fed with every node's events, in each job's topic
 * order, by one thread ({@link dev.diffarm.daemon.kafka.KafkaJobView}); read by REST threads.
 *
 * <p>Memory is bounded: the latest {@code jobs} jobs are kept (by their latest event), those that ended forgotten
 * before those still running; the broadcaster keeps the latest events of each as it does on a node of its own. A
 * job forgotten here is forgotten on every node that read the same events, give or take the few jobs at the edge
 * (nodes read the topic's partitions interleaved differently).
 */
public final class FarmJobs {
    private final int jobs;
    private final EventBroadcaster events;
    /** Least recently told first. */
    private final Map<String, FarmJob> byId = new LinkedHashMap<>();

    /**
     * @param jobs   most jobs kept, at least 1
     * @param events where the events go on, for their streams; this object feeds it
     */
    public FarmJobs(int jobs, EventBroadcaster events) {
        if (jobs < 1) {
            throw new IllegalArgumentException("retained jobs = " + jobs + ": expected at least 1");
        }
        this.jobs = jobs;
        this.events = events;
    }

    /** Takes in a job's next event from the topic; one without a job id (a rejected non-job) tells nothing. */
    public void apply(JobEvent event) {
        Optional<String> id = event.recordKey();
        if (id.isEmpty()) {
            return;
        }
        synchronized (this) {
            FarmJob job = byId.remove(id.get());
            if (job == null) {
                job = new FarmJob(id.get());
            }
            job.apply(event);
            byId.put(id.get(), job);
            forgetOldest();
        }
        // After the status took it in: a stream that closes on a job's last event sees the job ended.
        events.publish(event);
    }

    /** The job's status as the events read so far tell it. */
    public synchronized Optional<JobStatus> find(String id) {
        return Optional.ofNullable(byId.get(id)).map(FarmJob::status);
    }

    /** Whether the job has ended (completed, failed, cancelled, rejected); empty when it is not known. */
    public synchronized Optional<Boolean> hasEnded(String id) {
        return Optional.ofNullable(byId.get(id)).map(FarmJob::hasEnded);
    }

    /** The events of the jobs, for their streams. */
    public EventBroadcaster events() {
        return events;
    }

    /** How many jobs are kept. */
    public synchronized int size() {
        return byId.size();
    }

    /** Forgets the least recently told jobs beyond the bound: one that ended if any did, else the oldest running. */
    private void forgetOldest() {
        while (byId.size() > jobs) {
            String oldest = byId.entrySet().stream().filter(entry -> entry.getValue().hasEnded()).map(Map.Entry::getKey)
                    .findFirst().orElseGet(() -> byId.keySet().iterator().next());
            byId.remove(oldest);
        }
    }
}

package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Job;
import java.util.EnumMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The jobs this daemon knows, by id: the latest attempt of each. Finished attempts are forgotten oldest
 * first beyond {@code retainedFinished}; their outputs and events stay where they were stored.
 */
public final class JobRegistry {
    private final int retainedFinished;
    private final Map<String, TrackedJob> byId = new LinkedHashMap<>();

    public JobRegistry(int retainedFinished) {
        this.retainedFinished = retainedFinished;
    }

    /** Records a job the REST intake accepted; a job of that id already queued or running is kept as it is. */
    public synchronized TrackedJob queued(Job job) {
        TrackedJob known = byId.get(job.id());
        if (known != null && !known.state().isFinal()) {
            return known;
        }
        return put(TrackedJob.queued(job.id(), job.kind(), job.taskCount()));
    }

    /**
     * The attempt a worker runs for a delivered job: the queued one a REST submission made, or a new one.
     *
     * @return empty when the job was cancelled while it waited: the delivery is settled without running it
     */
    public synchronized Optional<TrackedJob> claim(Job job) {
        TrackedJob known = byId.get(job.id());
        if (known != null && known.takeDelivery()) {
            if (known.transition(JobState.QUEUED, JobState.RUNNING)) {
                return Optional.of(known);
            }
            return Optional.empty();
        }
        return Optional.of(put(TrackedJob.running(job.id(), job.kind(), job.taskCount())));
    }

    /** Records a submission with a valid id that is no valid job. */
    public synchronized void rejected(String id, List<EventError> errors) {
        TrackedJob known = byId.get(id);
        if (known == null || known.state().isFinal()) {
            put(TrackedJob.rejected(id, errors));
        }
    }

    /** Forgets {@code attempt} if it still is the latest attempt of its job (its submission failed). */
    public synchronized void withdraw(TrackedJob attempt) {
        byId.remove(attempt.id(), attempt);
    }

    public synchronized Optional<TrackedJob> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** How many known jobs are in each state. */
    public synchronized Map<JobState, Long> countByState() {
        Map<JobState, Long> counts = new EnumMap<>(JobState.class);
        for (JobState state : JobState.values()) {
            counts.put(state, 0L);
        }
        byId.values().forEach(job -> counts.merge(job.state(), 1L, Long::sum));
        return counts;
    }

    private TrackedJob put(TrackedJob job) {
        byId.remove(job.id());
        byId.put(job.id(), job);
        forgetOldFinished();
        return job;
    }

    private void forgetOldFinished() {
        long finished = byId.values().stream().filter(job -> job.state().isFinal()).count();
        Iterator<TrackedJob> oldestFirst = byId.values().iterator();
        while (finished > retainedFinished && oldestFirst.hasNext()) {
            if (oldestFirst.next().state().isFinal()) {
                oldestFirst.remove();
                finished--;
            }
        }
    }
}

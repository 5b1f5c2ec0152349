package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Job;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The jobs this daemon knows, by id: the latest attempt of each. Finished attempts are forgotten oldest
 * first beyond {@code retainedFinished}; their outputs and events stay where they were stored.
 */
public final class JobRegistry {
    private final int retainedFinished;
    private final TenantQuota quota;
    private final Map<String, TrackedJob> byId = new LinkedHashMap<>();
    /** The chunks of split jobs this daemon runs now, by job id: beside {@link #byId}, which holds the jobs' origins. */
    private final Map<String, Set<TrackedJob>> runningParts = new HashMap<>();

    /** A registry whose REST submissions are limited by the contract alone. */
    public JobRegistry(int retainedFinished) {
        this(retainedFinished, TenantQuota.UNLIMITED);
    }

    public JobRegistry(int retainedFinished, TenantQuota quota) {
        this.retainedFinished = retainedFinished;
        this.quota = quota;
    }

    /** What became of a submission: queued (or already queued), or refused because its id is taken. */
    public sealed interface Admission {
        /** The attempt that will run the job: a new one, or the one already queued or running for the same job. */
        record Queued(TrackedJob attempt) implements Admission {
        }

        /** The id belongs to another job: another tenant's, or one with other content ({@code message} says which). */
        record Taken(String message) implements Admission {
        }

        /** The job would take its tenant over its {@link TenantQuota}; {@code message} names the limit. */
        record OverQuota(String message) implements Admission {
        }
    }

    /**
     * Records a job the REST intake accepted for {@code tenant}. The same job again (same tenant, same content)
     * resumes: the attempt queued or running is kept, a finished one gets a new attempt. Another job under a known
     * id is refused: it would overwrite the first one's outputs. So is a new attempt beyond the tenant's quota;
     * checked and recorded under this registry's lock, so concurrent submissions cannot overshoot it.
     */
    public synchronized Admission queue(Job job, String tenant) {
        TrackedJob known = byId.get(job.id());
        // A rejected submission's record holds no job: its id is free.
        if (known != null && known.content().isPresent()) {
            if (!known.tenant().equals(tenant)) {
                return new Admission.Taken("job id \"" + job.id() + "\" is in use by another job: choose another id");
            }
            String json = job.toJson();
            if (!known.content().get().equals(json)) {
                return new Admission.Taken("job " + job.id() + " exists with other content (differing: "
                        + String.join(", ", JobDifference.fields(known.content().get(), json))
                        + "): submit the same job to resume it, or use another id");
            }
            if (!known.state().isFinal()) {
                return new Admission.Queued(known);
            }
        }
        List<TrackedJob> active = byId.values().stream()
                .filter(attempt -> attempt.tenant().equals(tenant) && !attempt.state().isFinal()).toList();
        Optional<String> excess = quota.excess(job, active);
        if (excess.isPresent()) {
            return new Admission.OverQuota(excess.get());
        }
        return new Admission.Queued(put(TrackedJob.queued(job, tenant)));
    }

    /**
     * The attempt a worker runs for a delivered job: the queued one a REST submission made, or a new one of
     * {@code tenant}.
     *
     * @return empty when the job was cancelled while it waited: the delivery is settled without running it
     */
    public synchronized Optional<TrackedJob> claim(Job job, String tenant) {
        TrackedJob known = byId.get(job.id());
        if (known != null && known.takeDelivery()) {
            if (known.transition(JobState.QUEUED, JobState.RUNNING)) {
                return Optional.of(known);
            }
            return Optional.empty();
        }
        return Optional.of(put(TrackedJob.running(job, tenant)));
    }

    /** Records a submission with a valid id that is no valid job; another tenant's job of that id is left alone. */
    public synchronized void rejected(String id, String tenant, List<EventError> errors) {
        TrackedJob known = byId.get(id);
        if (known == null || known.state().isFinal() && known.tenant().equals(tenant)) {
            put(TrackedJob.rejected(id, tenant, errors));
        }
    }

    /** Forgets {@code attempt} if it still is the latest attempt of its job (its submission failed). */
    public synchronized void withdraw(TrackedJob attempt) {
        byId.remove(attempt.id(), attempt);
    }

    /** Records a chunk of a split job that this daemon starts running; {@link #endPart} when it ends. */
    synchronized TrackedJob startPart(Job job, String tenant) {
        TrackedJob part = TrackedJob.running(job, tenant);
        runningParts.computeIfAbsent(job.id(), id -> new HashSet<>()).add(part);
        return part;
    }

    synchronized void endPart(TrackedJob part) {
        Set<TrackedJob> parts = runningParts.get(part.id());
        if (parts != null && parts.remove(part) && parts.isEmpty()) {
            runningParts.remove(part.id());
        }
    }

    /** The chunks of the job that this daemon runs now. */
    synchronized List<TrackedJob> runningParts(String id) {
        return List.copyOf(runningParts.getOrDefault(id, Set.of()));
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

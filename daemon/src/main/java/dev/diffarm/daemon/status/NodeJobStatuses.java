package dev.diffarm.daemon.status;

import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.job.JobRegistry;
import dev.diffarm.daemon.job.JobStatus;
import dev.diffarm.daemon.job.TrackedJob;
import java.util.Optional;

/**
 * The jobs this node knows: those it queued or ran ({@link JobRegistry}), and the events it published itself. A node
 * without Kafka is the whole farm.
 */
public final class NodeJobStatuses implements JobStatuses {
    private final JobRegistry registry;
    private final EventBroadcaster events;

    /** @param events fed with the events this node publishes */
    public NodeJobStatuses(JobRegistry registry, EventBroadcaster events) {
        this.registry = registry;
        this.events = events;
    }

    @Override
    public Optional<JobStatus> find(String id) {
        return registry.find(id).map(TrackedJob::status);
    }

    @Override
    public boolean hasEnded(String id) {
        return registry.find(id).map(job -> job.state().isFinal()).orElse(true);
    }

    @Override
    public EventBroadcaster events() {
        return events;
    }
}

package dev.diffarm.daemon.status;

import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.job.JobRegistry;
import dev.diffarm.daemon.job.JobStatus;
import dev.diffarm.daemon.job.TrackedJob;
import java.util.Optional;

/**
 * A Kafka farm's jobs, the same on every node: what the events topic tells ({@link FarmJobs}), whichever node ran the
 * job. A job the topic has told nothing of yet (submitted here a moment ago and waiting in the jobs topic, so
 * {@code queued}) is answered from this node's own record of it, until its {@code accepted} arrives.
 */
public final class FarmJobStatuses implements JobStatuses {
    private final FarmJobs farm;
    private final JobRegistry registry;
    private final EventFeed feed;

    /**
     * @param farm     the farm's jobs from the events topic
     * @param registry the jobs this node queued or ran
     * @param feed     what feeds {@code farm} (the topic's reader), closed with this
     */
    public FarmJobStatuses(FarmJobs farm, JobRegistry registry, EventFeed feed) {
        this.farm = farm;
        this.registry = registry;
        this.feed = feed;
    }

    @Override
    public Optional<JobStatus> find(String id) {
        return farm.find(id).or(() -> registry.find(id).map(TrackedJob::status));
    }

    @Override
    public boolean hasEnded(String id) {
        return farm.hasEnded(id).orElseGet(() -> registry.find(id).map(job -> job.state().isFinal()).orElse(true));
    }

    @Override
    public EventBroadcaster events() {
        return farm.events();
    }

    /** Until the events there were at the start are read, older jobs are unknown here: the node is not ready. */
    @Override
    public Optional<String> problem() {
        return feed.isCaughtUp() ? Optional.empty() : Optional.of("reading the farm's job events: " + feed.applied()
                + " read so far; jobs not read yet are unknown here");
    }

    @Override
    public void close() {
        feed.close();
    }
}

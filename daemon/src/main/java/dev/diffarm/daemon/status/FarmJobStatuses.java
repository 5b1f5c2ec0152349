package dev.diffarm.daemon.status;

import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.job.JobStatus;
import java.util.Optional;

/**
 * A Kafka farm's jobs, the same on every node: what the events topic tells ({@link FarmJobs}), whichever node ran the
 * job. A job the topic has told nothing of yet (submitted here a moment ago and waiting in the jobs topic, so
 * {@code queued}) is answered from this node's own record of it, until its {@code accepted} arrives.
 */
public final class FarmJobStatuses implements JobStatuses {
    private final FarmJobs farm;
    private final JobStatuses node;
    private final EventFeed feed;

    /**
     * @param farm what the events topic tells of the farm's jobs
     * @param node the jobs this node queued or ran, for those the topic has not told of yet
     * @param feed what feeds {@code farm} (the topic's reader), closed with this
     */
    public FarmJobStatuses(FarmJobs farm, JobStatuses node, EventFeed feed) {
        this.farm = farm;
        this.node = node;
        this.feed = feed;
    }

    @Override
    public Optional<JobStatus> find(String id) {
        return farm.find(id).or(() -> node.find(id));
    }

    @Override
    public boolean hasEnded(String id) {
        return farm.hasEnded(id).orElseGet(() -> node.hasEnded(id));
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

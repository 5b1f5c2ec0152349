package dev.diffarm.daemon.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.job.JobRegistry;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.JobParser;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A Kafka node's answers: the farm's events first, its own record for a job no node has accepted yet. */
class FarmJobStatusesTest {
    /** A feed that has read {@code applied} events and has caught up or not, as the test sets it. */
    private static final class Feed implements EventFeed {
        boolean caughtUp;
        long applied;

        @Override
        public boolean isCaughtUp() {
            return caughtUp;
        }

        @Override
        public long applied() {
            return applied;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void aJobQueuedHereIsQueuedUntilItsAcceptanceArrivesThenTheFarmTellsIt() {
        JobRegistry registry = new JobRegistry(10);
        Job job = new JobParser().parse(TinyModel.renderJob("q", "[\"a cat\"]", "[1]", 2)).orElseThrow();
        registry.queue(job, "acme");
        EventBroadcaster events = new EventBroadcaster(10, 100);
        FarmJobs farm = new FarmJobs(10, events);
        FarmJobStatuses statuses = new FarmJobStatuses(farm, new NodeJobStatuses(registry, events), new Feed());

        assertEquals("queued", statuses.find("q").orElseThrow().state());
        assertFalse(statuses.hasEnded("q"));
        farm.apply(new JobEvent.Accepted("q", "render", 1, Optional.of("acme")));
        farm.apply(new JobEvent.Completed("q", List.of("tenants/acme/jobs/q/t0000.png")));
        assertEquals("completed", statuses.find("q").orElseThrow().state(), "another node ran it");
        assertTrue(statuses.hasEnded("q"));
        assertEquals(Optional.empty(), statuses.find("unknown"));
        assertTrue(statuses.hasEnded("unknown"), "an unknown job has nothing more to tell");
    }

    @Test
    void itIsNotReadyUntilItsFeedHasCaughtUp() {
        Feed feed = new Feed();
        EventBroadcaster events = new EventBroadcaster(10, 100);
        FarmJobStatuses statuses = new FarmJobStatuses(new FarmJobs(10, events),
                new NodeJobStatuses(new JobRegistry(10), events), feed);
        feed.applied = 1234;
        assertEquals(Optional.of("reading the farm's job events: 1234 read so far; jobs not read yet are unknown here"),
                statuses.problem());
        feed.caughtUp = true;
        assertEquals(Optional.empty(), statuses.problem());
    }
}

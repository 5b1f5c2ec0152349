package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.farm.config.JobParser;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class TrackedJobTest {
    @Test
    void changesStateOnlyFromTheExpectedOne() {
        TrackedJob job = TrackedJob.queued("j", "render", 2);
        assertTrue(job.transition(JobState.QUEUED, JobState.RUNNING));
        assertFalse(job.transition(JobState.QUEUED, JobState.CANCELLED), "the state is no longer QUEUED");
        assertEquals(JobState.RUNNING, job.state());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> job.transition(JobState.COMPLETED, JobState.RUNNING));
        assertEquals("job j: no transition from COMPLETED to RUNNING", e.getMessage());
    }

    @Test
    void finalStatesLeadNowhere() {
        for (JobState state : JobState.values()) {
            assertEquals(state.isFinal(), state.next().isEmpty(), state.name());
        }
        assertEquals(EnumSet.of(JobState.COMPLETED, JobState.FAILED, JobState.CANCELLED), JobState.RUNNING.next());
    }

    @Test
    void cancellingDependsOnWhereTheJobStands() {
        TrackedJob queued = TrackedJob.queued("q", "render", 1);
        assertEquals(TrackedJob.CancelOutcome.CANCELLED_WHILE_QUEUED, queued.requestCancel());
        assertEquals(JobState.CANCELLED, queued.state());

        TrackedJob running = TrackedJob.running("r", "render", 1);
        assertEquals(TrackedJob.CancelOutcome.STOPPING, running.requestCancel());
        assertTrue(running.isCancelRequested());
        assertEquals(JobState.RUNNING, running.state(), "the worker ends it");

        assertTrue(running.transition(JobState.RUNNING, JobState.COMPLETED));
        TrackedJob ended = running;
        assertEquals(TrackedJob.CancelOutcome.ALREADY_ENDED, ended.requestCancel());
    }

    @Test
    void theRegistryHandsTheQueuedAttemptToItsDelivery() {
        JobRegistry registry = new JobRegistry(10);
        var job = new JobParser().parse(
                "{\"apiVersion\":\"diffarm/v1\",\"kind\":\"render\",\"id\":\"x\",\"model\":\"m\",\"prompts\":[\"p\"]}")
                .orElseThrow();
        TrackedJob queued = registry.queued(job);
        assertEquals(queued, registry.queued(job), "submitted twice while queued: one attempt");
        assertEquals(queued, registry.claim(job).orElseThrow());
        assertEquals(JobState.RUNNING, queued.state());
        TrackedJob second = registry.claim(job).orElseThrow();
        assertFalse(second == queued, "a second delivery is a new attempt");
    }
}

package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.JobParser;
import java.util.EnumSet;
import java.util.List;
import org.junit.jupiter.api.Test;

class TrackedJobTest {
    @Test
    void changesStateOnlyFromTheExpectedOne() {
        TrackedJob job = TrackedJob.queued(job("j"), Tenants.DEFAULT);
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
        TrackedJob queued = TrackedJob.queued(job("q"), Tenants.DEFAULT);
        assertEquals(TrackedJob.CancelOutcome.CANCELLED_WHILE_QUEUED, queued.requestCancel());
        assertEquals(JobState.CANCELLED, queued.state());

        TrackedJob running = TrackedJob.running(job("r"), Tenants.DEFAULT);
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
        Job job = job("x");
        TrackedJob queued = queue(registry, job, "a");
        assertEquals(queued, queue(registry, job, "a"), "submitted twice while queued: one attempt");
        assertEquals(queued, registry.claim(job, Tenants.DEFAULT).orElseThrow());
        assertEquals(JobState.RUNNING, queued.state());
        assertEquals("a", queued.tenant(), "the delivery runs the submitter's attempt");
        TrackedJob second = registry.claim(job, Tenants.DEFAULT).orElseThrow();
        assertFalse(second == queued, "a second delivery is a new attempt");
    }

    @Test
    void anotherJobUnderAKnownIdIsRefusedNamingTheDifference() {
        JobRegistry registry = new JobRegistry(10);
        TrackedJob first = queue(registry, job("x"), "a");
        Job other = new JobParser().parse(
                "{\"apiVersion\":\"diffarm/v1\",\"kind\":\"render\",\"id\":\"x\",\"model\":\"m\",\"prompts\":[\"q\"],"
                        + "\"steps\":3}").orElseThrow();
        JobRegistry.Admission taken = registry.queue(other, "a");
        assertEquals(new JobRegistry.Admission.Taken("job x exists with other content (differing: prompts, steps): "
                + "submit the same job to resume it, or use another id"), taken);
        assertEquals(new JobRegistry.Admission.Taken("job id \"x\" is in use by another job: choose another id"),
                registry.queue(job("x"), "b"), "another tenant learns nothing about the job");
        registry.rejected("x", "b", List.of(new EventError("invalid-value", "bad")));
        assertEquals(first, registry.find("x").orElseThrow(), "the first job is untouched");
        assertEquals(JobState.QUEUED, first.state());
    }

    private static TrackedJob queue(JobRegistry registry, Job job, String tenant) {
        return ((JobRegistry.Admission.Queued) registry.queue(job, tenant)).attempt();
    }

    private static Job job(String id) {
        return new JobParser().parse("{\"apiVersion\":\"diffarm/v1\",\"kind\":\"render\",\"id\":\"" + id
                + "\",\"model\":\"m\",\"prompts\":[\"p\"]}").orElseThrow();
    }
}

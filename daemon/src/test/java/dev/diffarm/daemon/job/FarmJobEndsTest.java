package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.JobParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * What the farm's events of a job's end do to this daemon's runs of it ({@link FarmJobEnds}), without a broker (the
 * farm-wide behaviour is {@code kafka.JobEndsAcrossNodesTest}'s).
 */
class FarmJobEndsTest {
    private static final EventError CANCELLED = new EventError(JobLifecycle.CANCELLED, "cancelled on another node");
    private static final EventError BROKEN = new EventError("render-failed", "task t0003 failed on another node");

    @Test
    void aCancelSentAfterTheRunBeganStopsItQuietlyAndAnEarlierOneStopsNothing() {
        JobRegistry registry = new JobRegistry(10);
        FarmJobEnds ends = new FarmJobEnds(registry);
        TrackedJob run = registry.claim(job("j"), Tenants.DEFAULT).orElseThrow();
        JobEvent.Failed cancel = new JobEvent.Failed("j", Optional.empty(), CANCELLED);

        ends.accept(cancel, run.runningSince() - 1);
        assertFalse(run.isCancelRequested(), "an earlier attempt's cancel, read again: nothing stops");
        ends.accept(new JobEvent.Failed("j", Optional.empty(), new EventError(JobLifecycle.MOVED, "moved")),
                run.runningSince());
        assertFalse(run.isCancelRequested(), "moved is no end");
        ends.accept(new JobEvent.Failed("j", Optional.of("t0003"), BROKEN), run.runningSince());
        assertEquals(JobState.RUNNING, run.state(), "another node's failure of a job running whole here ends nothing");

        ends.accept(cancel, run.runningSince());
        assertTrue(run.isCancelRequested(), "stops at its next step");
        assertTrue(run.isCancelAnnounced(), "and sends no second failed event");
        assertEquals(JobState.RUNNING, run.state(), "the worker ends it");
    }

    @Test
    void theRecordOfASplitJobEndsAsTheFarmSaysAndItsChunksHereStop() {
        JobRegistry registry = new JobRegistry(10);
        FarmJobEnds ends = new FarmJobEnds(registry);
        TrackedJob completed = registry.claim(job("done"), Tenants.DEFAULT).orElseThrow();
        completed.onSplit(() -> { });
        ends.accept(new JobEvent.Completed("done", List.of("jobs/done/t0000.png")), completed.runningSince());
        assertEquals(JobState.COMPLETED, completed.state());

        TrackedJob failed = registry.claim(job("broken"), Tenants.DEFAULT).orElseThrow();
        failed.onSplit(() -> { });
        TrackedJob chunk = registry.startPart(job("broken"), Tenants.DEFAULT);
        TrackedJob otherJobsChunk = registry.startPart(job("done"), Tenants.DEFAULT);
        ends.accept(new JobEvent.Failed("broken", Optional.of("t0003"), BROKEN), chunk.runningSince());
        assertEquals(JobState.FAILED, failed.state());
        assertEquals(List.of(BROKEN), failed.status().errors());
        assertTrue(chunk.isCancelRequested(), "the chunk running here stops at its next step");
        assertFalse(otherJobsChunk.isCancelRequested());
        registry.endPart(chunk);
        assertEquals(List.of(), registry.runningParts("broken"));

        TrackedJob cancelled = registry.claim(job("halted"), Tenants.DEFAULT).orElseThrow();
        List<String> marked = new ArrayList<>();
        cancelled.onSplit(() -> marked.add("cancelled"));
        ends.accept(new JobEvent.Failed("halted", Optional.empty(), CANCELLED), cancelled.runningSince());
        assertEquals(List.of("cancelled"), marked, "the split is marked cancelled for its chunks not begun");
        assertTrue(cancelled.isCancelAnnounced());
    }

    private static Job job(String id) {
        return new JobParser().parse("{\"apiVersion\":\"diffarm/v1\",\"kind\":\"render\",\"id\":\"" + id
                + "\",\"model\":\"m\",\"prompts\":[\"p\"]}").orElseThrow();
    }
}

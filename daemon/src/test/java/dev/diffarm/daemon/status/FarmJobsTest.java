package dev.diffarm.daemon.status;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.job.JobStatus;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.JobEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A job's status folded from the farm's events: the same from the same events, whatever was duplicated. */
class FarmJobsTest {
    private static final String HASH = "b6d880e063ac77c2b3dedc459c2babee72d4db8a25081e355c8606d397146673";

    private static JobEvent.Accepted accepted(String job, int tasks) {
        return new JobEvent.Accepted(job, "campaign", tasks, Optional.of("acme"));
    }

    private static JobEvent.TaskCompleted stored(String job, int task, boolean skipped) {
        String id = "t%04d".formatted(task);
        return new JobEvent.TaskCompleted(job, id, "tenants/acme/jobs/" + job + "/" + id + ".png", HASH, skipped);
    }

    private static JobEvent.Progress progress(String job, int task, int step) {
        return new JobEvent.Progress(job, "t%04d".formatted(task), step, 4, 0, 3);
    }

    private static JobEvent.Completed completed(String job) {
        return new JobEvent.Completed(job, List.of("tenants/acme/jobs/" + job + "/t0000.png",
                "tenants/acme/jobs/" + job + "/t0001.png", "tenants/acme/jobs/" + job + "/t0002.png",
                "tenants/acme/jobs/" + job + "/contact-sheet.png"));
    }

    private static JobEvent.Failed failed(String job, String code, Optional<String> task) {
        return new JobEvent.Failed(job, task, new EventError(code, "job " + job + ": " + code));
    }

    private static JobStatus fold(List<JobEvent> events) {
        FarmJobs jobs = new FarmJobs(10, new EventBroadcaster(10, 100));
        events.forEach(jobs::apply);
        return jobs.find("j").orElseThrow();
    }

    /** Tasks 0 and 2 stored by one node, task 1 by another, interleaved as the topic holds them. */
    private static final List<JobEvent> TWO_NODES = List.of(accepted("j", 3), progress("j", 0, 4), progress("j", 1, 2),
            stored("j", 0, false), progress("j", 2, 4), progress("j", 1, 4), stored("j", 1, false), stored("j", 2, false),
            completed("j"));

    @Test
    void aJobRenderedOnTwoNodesIsToldWholeWithTheTenantOfItsAcceptance() {
        FarmJobs jobs = new FarmJobs(10, new EventBroadcaster(10, 100));
        List<Integer> storedSoFar = new ArrayList<>();
        for (JobEvent event : TWO_NODES) {
            jobs.apply(event);
            storedSoFar.add(jobs.find("j").orElseThrow().tasksCompleted());
        }
        assertEquals(List.of(0, 0, 0, 1, 1, 1, 2, 3, 3), storedSoFar);

        JobStatus status = jobs.find("j").orElseThrow();
        assertEquals(new JobStatus("j", "acme", "completed", "campaign", 3, 3, Optional.empty(), 0, 0,
                completed("j").keys(), List.of()), status);
        assertEquals(Optional.of(true), jobs.hasEnded("j"));
        assertEquals(Optional.empty(), jobs.find("other"));
    }

    @Test
    void whileRunningItTellsTheTaskOfTheLatestProgressAndTheKeysStoredSoFar() {
        JobStatus status = fold(TWO_NODES.subList(0, 6));
        assertEquals(new JobStatus("j", "acme", "running", "campaign", 3, 1, Optional.of("t0001"), 4, 4,
                List.of("tenants/acme/jobs/j/t0000.png"), List.of()), status);
    }

    @Test
    void duplicatedEventsChangeNothing() {
        JobStatus once = fold(TWO_NODES);
        List<JobEvent> duplicated = new ArrayList<>(TWO_NODES);
        // A redelivered chunk reports task 1 again (skipped, from another node); the job's node is taken over and
        // accepts again mid-run; the completion is reported twice; a late node's task and step after the end.
        duplicated.add(7, stored("j", 1, true));
        duplicated.add(4, accepted("j", 3));
        duplicated.add(completed("j"));
        duplicated.add(stored("j", 2, true));
        duplicated.add(progress("j", 2, 4));

        assertEquals(once, fold(duplicated));
        List<JobEvent> twice = new ArrayList<>();
        TWO_NODES.forEach(event -> {
            twice.add(event);
            twice.add(event);
        });
        assertEquals(once, fold(twice), "every event twice");
    }

    @Test
    void aJobMovedToAnotherNodeRunsOnWhicheverOrderTheTwoNodesReportIn() {
        JobStatus oldOwnerFirst = fold(List.of(accepted("j", 3), stored("j", 0, false), progress("j", 1, 2),
                failed("j", JobLifecycle.MOVED, Optional.of("t0001")), accepted("j", 3), stored("j", 0, true)));
        JobStatus newOwnerFirst = fold(List.of(accepted("j", 3), stored("j", 0, false), progress("j", 1, 2),
                accepted("j", 3), stored("j", 0, true), failed("j", JobLifecycle.MOVED, Optional.of("t0001"))));

        assertEquals("running", oldOwnerFirst.state());
        assertEquals(List.of(), oldOwnerFirst.errors(), "moving is no failure");
        assertEquals(oldOwnerFirst, newOwnerFirst);
    }

    @Test
    void aFailedJobDeliveredAgainIsANewAttemptAndACancelledOneIsCancelled() {
        List<JobEvent> events = new ArrayList<>(List.of(accepted("j", 3), stored("j", 0, false), progress("j", 1, 3),
                failed("j", "render-failed", Optional.of("t0001"))));
        JobStatus failedStatus = fold(events);
        assertEquals(new JobStatus("j", "acme", "failed", "campaign", 3, 1, Optional.of("t0001"), 3, 4,
                List.of("tenants/acme/jobs/j/t0000.png"), List.of(new EventError("render-failed", "job j: render-failed"))),
                failedStatus);

        events.add(accepted("j", 3));
        events.add(stored("j", 0, true));
        assertEquals(new JobStatus("j", "acme", "running", "campaign", 3, 1, Optional.empty(), 0, 0,
                List.of("tenants/acme/jobs/j/t0000.png"), List.of()), fold(events), "the stored task comes back skipped");

        events.add(failed("j", JobLifecycle.CANCELLED, Optional.empty()));
        assertEquals("cancelled", fold(events).state());
    }

    @Test
    void aRejectedJobTellsItsTenantAndEveryProblem() {
        List<EventError> errors = List.of(new EventError("invalid-value", "steps = -1", Optional.of("steps")),
                new EventError("invalid-value", "width = 3", Optional.of("width")));
        JobStatus status = fold(List.of(new JobEvent.Rejected(Optional.of("j"), errors).withTenant("acme")));
        assertEquals(new JobStatus("j", "acme", "rejected", "", 0, 0, Optional.empty(), 0, 0, List.of(), errors), status);
    }

    @Test
    void aJobWhoseEventsNameNoTenantHasAnEmptyTenant() {
        assertEquals("", fold(List.of(new JobEvent.Accepted("j", "render", 1))).tenant());
    }

    @Test
    void theLatestJobsAreKeptThoseThatEndedForgottenFirst() {
        FarmJobs jobs = new FarmJobs(2, new EventBroadcaster(10, 100));
        jobs.apply(accepted("running-oldest", 3));
        jobs.apply(accepted("ended", 3));
        jobs.apply(failed("ended", "render-failed", Optional.empty()));
        jobs.apply(accepted("newest", 3));

        assertEquals(2, jobs.size());
        assertEquals(Optional.empty(), jobs.find("ended"), "an ended job goes before an older running one");
        assertEquals("running", jobs.find("running-oldest").orElseThrow().state());

        jobs.apply(accepted("another", 3));
        assertEquals(Optional.empty(), jobs.find("running-oldest"), "with none ended, the oldest goes");
        assertEquals(2, jobs.size());
        assertEquals("retained jobs = 0: expected at least 1", assertThrows(IllegalArgumentException.class,
                () -> new FarmJobs(0, new EventBroadcaster(1, 1))).getMessage());
    }

    @Test
    void aSubscriberGetsTheEventsAfterTheStatusHasTakenThemIn() {
        FarmJobs jobs = new FarmJobs(10, new EventBroadcaster(10, 100));
        jobs.apply(accepted("j", 3));
        List<String> seen = new ArrayList<>();
        try (EventBroadcaster.Subscription ignored = jobs.events().subscribe("j",
                event -> seen.add(event.type() + ":" + jobs.find("j").orElseThrow().state()))) {
            jobs.apply(stored("j", 0, false));
            jobs.apply(completed("j"));
        }
        assertEquals(List.of("accepted:running", "task-completed:running", "completed:completed"), seen);
    }
}

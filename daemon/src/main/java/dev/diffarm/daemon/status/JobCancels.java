package dev.diffarm.daemon.status;

import dev.diffarm.daemon.job.FarmCancellation;
import dev.diffarm.daemon.job.JobIntake;
import dev.diffarm.daemon.job.JobRegistry;
import dev.diffarm.daemon.job.JobStatus;
import dev.diffarm.daemon.job.TrackedJob;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * {@code DELETE /jobs/{id}}: cancels a job as {@code GET /jobs/{id}} shows it, on any node of the farm.
 * <ul>
 *   <li>A job the caller cannot see there (unknown, or another tenant's) is unknown.</li>
 *   <li>A job this node queued or runs (whole, or split into chunks here) is cancelled here ({@link JobIntake#cancel}):
 *       a queued one at once, a running one before its next step, a split one marked so for its chunks; its
 *       {@code failed} event, cancelled, then tells every other node to stop what they run of it.</li>
 *   <li>A job that has ended stays as it was.</li>
 *   <li>Else the job runs on other nodes: {@link FarmCancellation} marks its splits cancelled and sends its
 *       {@code failed} event, cancelled, on which every node stops what it runs of it before its next step.</li>
 * </ul>
 */
public final class JobCancels {
    private final JobStatuses statuses;
    private final JobRegistry registry;
    private final JobIntake intake;
    private final FarmCancellation elsewhere;

    public JobCancels(JobStatuses statuses, JobRegistry registry, JobIntake intake, FarmCancellation elsewhere) {
        this.statuses = statuses;
        this.registry = registry;
        this.intake = intake;
        this.elsewhere = elsewhere;
    }

    /** What a cancel request did. */
    public sealed interface Outcome {
        /** No job of that id that the caller may see. */
        record Unknown() implements Outcome {
        }

        /** The job had ended before: nothing changed. */
        record Ended(JobStatus status) implements Outcome {
        }

        /** The job is cancelled, or stops before its next step; {@code status} says where it stands now. */
        record Cancelling(JobStatus status) implements Outcome {
        }
    }

    /**
     * Cancels job {@code id} for a caller who may see the jobs of the tenants {@code mayAccess} accepts.
     *
     * @throws dev.diffarm.daemon.port.StoreException when a split job running elsewhere cannot be marked cancelled
     */
    public Outcome cancel(String id, Predicate<String> mayAccess) {
        Optional<JobStatus> shown = statuses.find(id).filter(status -> mayAccess.test(status.tenant()));
        if (shown.isEmpty()) {
            return new Outcome.Unknown();
        }
        Optional<TrackedJob> here = registry.find(id)
                .filter(job -> !job.state().isFinal() && mayAccess.test(job.tenant()));
        if (here.isPresent()) {
            TrackedJob.CancelOutcome outcome = intake.cancel(here.get());
            return outcome == TrackedJob.CancelOutcome.ALREADY_ENDED ? new Outcome.Ended(here.get().status())
                    : new Outcome.Cancelling(here.get().status());
        }
        if (statuses.hasEnded(id)) {
            return new Outcome.Ended(shown.get());
        }
        elsewhere.cancel(id, shown.get().tenant());
        return new Outcome.Cancelling(shown.get());
    }
}

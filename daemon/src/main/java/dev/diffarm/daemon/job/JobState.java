package dev.diffarm.daemon.job;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/**
 * Where a job stands in this daemon. Transitions, each made by compare-and-set
 * ({@link TrackedJob#transition}) so that the worker and a {@code DELETE /jobs/{id}} never both win:
 * <pre>
 * QUEUED ──> RUNNING ──> COMPLETED
 *   │           ├──────> FAILED
 *   │           └──────> CANCELLED
 *   └──────────────────> CANCELLED   (cancelled before a worker took it)
 * REJECTED                           (invalid from the start: never queued)
 * </pre>
 * COMPLETED, FAILED, CANCELLED and REJECTED are final. A job delivered again after a final state starts over
 * as a new attempt under the same id.
 */
public enum JobState {
    /** Accepted by the REST intake, waiting in the source for a worker. */
    QUEUED,
    /** A worker is planning, rendering or storing it. */
    RUNNING,
    /** Every task's outputs, the contact sheet and the gallery are stored. */
    COMPLETED,
    /** It stopped on an error; outputs stored before it stay, and a new delivery resumes. */
    FAILED,
    /** Someone cancelled it; outputs stored before it stay. */
    CANCELLED,
    /** The submission was no valid job. */
    REJECTED;

    /** Whether nothing follows this state. */
    public boolean isFinal() {
        return this != QUEUED && this != RUNNING;
    }

    /** The states this one may change into. */
    public Set<JobState> next() {
        return switch (this) {
            case QUEUED -> EnumSet.of(RUNNING, CANCELLED);
            case RUNNING -> EnumSet.of(COMPLETED, FAILED, CANCELLED);
            case COMPLETED, FAILED, CANCELLED, REJECTED -> EnumSet.noneOf(JobState.class);
        };
    }

    /** The lower-case name the REST API and metrics use, such as {@code running}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}

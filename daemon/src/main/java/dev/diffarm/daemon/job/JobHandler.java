package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.Job;

/**
 * What the daemon does for one kind of job. The {@link JobLifecycle} does what every kind shares (claim, events,
 * skipping what is stored, cancellation, failures, settlement); a handler says what is particular to its kind: which
 * tasks a job has, how one is made and stored, which of its outputs show that it is stored, and the job's overview.
 * {@link JobHandlers} picks the handler of a job's kind.
 *
 * @param <J> the jobs it handles
 */
@FunctionalInterface
public interface JobHandler<J extends Job> {

    /** The work {@code job} is made of: its tasks in their fixed order, and its overview. */
    JobWork plan(J job);

    /**
     * The work of {@code job} when only its tasks {@code from} (inclusive) to {@code to} (exclusive) run here (a chunk
     * of a split job, {@link FanOut}): the same tasks and overview, but a handler that renders tasks together keeps
     * its batches within those, rather than render ahead tasks that other daemons render.
     */
    default JobWork plan(J job, int from, int to) {
        return plan(job);
    }
}

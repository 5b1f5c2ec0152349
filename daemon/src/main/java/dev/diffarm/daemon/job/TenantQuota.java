package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.Job;
import dev.diffarm.farm.config.Limits;
import java.util.Collection;
import java.util.Optional;

/**
 * What one tenant may have in this daemon at once; a REST submission beyond it is refused naming the limit.
 *
 * @param activeJobs   most jobs queued or running ({@code DIFFARM_QUOTA_ACTIVE_JOBS})
 * @param tasksPerJob  most tasks in one job ({@code DIFFARM_QUOTA_TASKS_PER_JOB})
 * @param queuedTasks  most tasks of its queued and running jobs together ({@code DIFFARM_QUOTA_QUEUED_TASKS})
 */
public record TenantQuota(int activeJobs, int tasksPerJob, int queuedTasks) {
    /** No limit beyond the contract's own. */
    public static final TenantQuota UNLIMITED = new TenantQuota(Integer.MAX_VALUE, Limits.MAX_TASKS, Integer.MAX_VALUE);

    public TenantQuota {
        if (activeJobs < 1 || tasksPerJob < 1 || queuedTasks < 1) {
            throw new IllegalArgumentException("tenant quota " + activeJobs + " active jobs, " + tasksPerJob
                    + " tasks per job, " + queuedTasks + " queued tasks: expected each at least 1");
        }
    }

    /**
     * Why {@code job} would take its tenant over this quota, given the tenant's unfinished jobs; empty when it fits.
     */
    Optional<String> excess(Job job, Collection<TrackedJob> active) {
        if (job.taskCount() > tasksPerJob) {
            return Optional.of("job " + job.id() + " has " + job.taskCount() + " tasks: the quota is " + tasksPerJob
                    + " tasks per job (DIFFARM_QUOTA_TASKS_PER_JOB)");
        }
        if (active.size() + 1 > activeJobs) {
            return Optional.of("the tenant has " + active.size() + " jobs queued or running: the quota is " + activeJobs
                    + " (DIFFARM_QUOTA_ACTIVE_JOBS)");
        }
        long tasks = active.stream().mapToLong(TrackedJob::tasks).sum();
        if (tasks + job.taskCount() > queuedTasks) {
            return Optional.of("the tenant has " + tasks + " tasks queued or running and the job adds "
                    + job.taskCount() + ": the quota is " + queuedTasks + " (DIFFARM_QUOTA_QUEUED_TASKS)");
        }
        return Optional.empty();
    }
}

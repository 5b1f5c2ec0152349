package dev.diffarm.farm.config;

import java.util.List;
import java.util.Locale;

/**
 * A job expanded into its tasks, in the job's fixed order (see {@link RenderJob#plan()} and
 * {@link Campaign#plan()}). The same job always gives the same plan: the same task ids, object keys and
 * parameter hashes, whatever the order of the fields in its JSON.
 *
 * @param jobId the job's id
 * @param tasks the tasks; task {@code i} has index {@code i}
 */
public record Plan(String jobId, List<TaskSpec> tasks) {
    public Plan {
        Rules.ID.require("jobId", jobId);
        tasks = List.copyOf(tasks);
        for (int i = 0; i < tasks.size(); i++) {
            TaskSpec task = tasks.get(i);
            if (task.index() != i || !task.jobId().equals(jobId)) {
                throw new IllegalArgumentException("tasks[" + i + "] is task " + task.index() + " of job "
                        + task.jobId() + ": expected task " + i + " of job " + jobId);
            }
        }
    }

    /** The object key prefix of a job's outputs: {@code jobs/<jobId>/}. */
    public static String prefix(String jobId) {
        return "jobs/" + Rules.ID.require("jobId", jobId) + "/";
    }

    /** The id of a job's task {@code index}, {@code t0000} to {@code t9999}: ids sort in plan order. */
    public static String taskId(int index) {
        if (index < 0 || index >= Limits.MAX_TASKS) {
            throw new IllegalArgumentException("index = " + index + ": expected 0.." + (Limits.MAX_TASKS - 1));
        }
        return String.format(Locale.ROOT, "t%04d", index);
    }

    /** The object key prefix of this job's outputs: {@code jobs/<jobId>/}. */
    public String prefix() {
        return prefix(jobId);
    }

    /** The image keys of every task, in plan order. */
    public List<String> keys() {
        return tasks.stream().map(TaskSpec::key).toList();
    }
}

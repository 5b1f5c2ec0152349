package dev.diffarm.daemon.status;

import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.job.JobState;
import dev.diffarm.daemon.job.JobStatus;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.JobEvent;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One job as the farm's events tell it, whichever nodes emitted them: a fold of the job's events in the order of its
 * partition of the events topic, which every reader sees alike. Nothing here depends on when or where an event was
 * read, so every node that has read the same events answers the same; and a duplicated event (a redelivery, two nodes
 * reporting one task) changes nothing: tasks are a set of ids, keys a set, and an end repeated is the same end.
 * <ul>
 *   <li>{@code accepted} after an end starts a new attempt (the job was delivered again); during an attempt it only
 *       fills in what it tells (a node that took the job over after another died accepts it again).</li>
 *   <li>{@code failed} with code {@value JobLifecycle#MOVED} is no end: the job's partition moved and its new owner
 *       runs it (it may report before or after the old owner's event).</li>
 *   <li>{@code failed} with code {@value JobLifecycle#CANCELLED} ends it as cancelled.</li>
 *   <li>After an end, progress, tasks and ends are stragglers (a node that had not heard of the end, a report
 *       delivered twice) and change nothing until the job is accepted again.</li>
 * </ul>
 * Not thread-safe: {@link FarmJobs} guards it.
 */
final class FarmJob {
    private final String id;
    private Optional<String> tenant = Optional.empty();
    private String kind = "";
    private int tasks;
    private JobState state = JobState.RUNNING;
    private final Set<String> storedTasks = new LinkedHashSet<>();
    private final Set<String> keys = new LinkedHashSet<>();
    private Optional<String> task = Optional.empty();
    private int step;
    private int steps;
    private List<EventError> errors = List.of();

    FarmJob(String id) {
        this.id = id;
    }

    /** Takes in the job's next event. */
    void apply(JobEvent event) {
        if (event instanceof JobEvent.Accepted accepted) {
            accept(accepted);
        } else if (event instanceof JobEvent.Rejected rejected) {
            reject(rejected);
        } else if (state.isFinal()) {
            // A straggler of the attempt that ended (an end or a task reported twice, a node that had not heard of
            // the end): the end stands until the job is accepted again.
            return;
        } else if (event instanceof JobEvent.Progress progress) {
            task = Optional.of(progress.taskId());
            step = progress.step();
            steps = progress.steps();
        } else if (event instanceof JobEvent.TaskCompleted completed) {
            storedTasks.add(completed.taskId());
            keys.add(completed.key());
            if (task.equals(Optional.of(completed.taskId()))) {
                clearStep();
            }
        } else if (event instanceof JobEvent.Completed completed) {
            state = JobState.COMPLETED;
            replaceKeys(completed.keys());
            clearStep();
        } else if (event instanceof JobEvent.Failed failed) {
            fail(failed);
        }
    }

    /** The complete list, in plan order: it replaces the keys gathered in the order the nodes stored them. */
    private void replaceKeys(List<String> complete) {
        keys.clear();
        keys.addAll(complete);
    }

    private void reject(JobEvent.Rejected rejected) {
        startAttempt();
        state = JobState.REJECTED;
        tenant = rejected.tenant().or(() -> tenant);
        kind = "";
        tasks = 0;
        errors = rejected.errors();
    }

    private void accept(JobEvent.Accepted accepted) {
        if (state.isFinal()) {
            startAttempt();
        }
        state = JobState.RUNNING;
        tenant = accepted.tenant().or(() -> tenant);
        kind = accepted.kind();
        tasks = accepted.tasks();
    }

    private void fail(JobEvent.Failed failed) {
        if (failed.error().code().equals(JobLifecycle.MOVED)) {
            return;
        }
        state = failed.error().code().equals(JobLifecycle.CANCELLED) ? JobState.CANCELLED : JobState.FAILED;
        errors = List.of(failed.error());
        if (!task.equals(failed.taskId())) {
            task = failed.taskId();
            step = 0;
            steps = 0;
        }
    }

    private void startAttempt() {
        storedTasks.clear();
        keys.clear();
        clearStep();
        errors = List.of();
    }

    private void clearStep() {
        task = Optional.empty();
        step = 0;
        steps = 0;
    }

    boolean hasEnded() {
        return state.isFinal();
    }

    /**
     * What {@code GET /jobs/{id}} answers: the shape the node's own jobs have. A completed job has all its tasks
     * stored; the tenant is empty for a job whose events name none (a farm before events told it).
     */
    JobStatus status() {
        int done = state == JobState.COMPLETED ? tasks : storedTasks.size();
        return new JobStatus(id, tenant.orElse(""), state.label(), kind, tasks, done, task, step, steps,
                List.copyOf(new ArrayList<>(keys)), errors);
    }
}

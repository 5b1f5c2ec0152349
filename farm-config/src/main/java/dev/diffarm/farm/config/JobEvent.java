package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What the farm tells about a job, on the events topic ({@code diffarm.events}) keyed by the job id, and on
 * {@code GET /jobs/{id}/events}. Every event is a JSON object with {@code apiVersion}, {@code type} and
 * {@code jobId}:
 * <pre>{@code
 * {"apiVersion": "diffarm/v1", "type": "task-completed", "jobId": "cats-1", "taskId": "t0003",
 *  "key": "jobs/cats-1/t0003.png", "parameterHash": "9f2c...", "skipped": false}
 * }</pre>
 * A job's events come in this order: {@code accepted} (or {@code rejected}, and nothing after it); then
 * {@code progress} and {@code task-completed} for its tasks; then {@code completed} or {@code failed}.
 * A job delivered again is accepted again, and its stored tasks come back as {@code task-completed} with
 * {@code skipped: true}.
 *
 * <p>Readers must ignore fields they do not know: later versions of the farm may add some.
 * {@link #parse} does.
 */
public sealed interface JobEvent permits JobEvent.Accepted, JobEvent.Progress, JobEvent.TaskCompleted,
        JobEvent.Completed, JobEvent.Failed, JobEvent.Rejected {

    /** The value of the event's {@code type} field, such as {@code task-completed}. */
    String type();

    /** The key of the event's Kafka record: the job id; empty only for a rejected job without a valid id. */
    Optional<String> recordKey();

    /** The event as JSON. */
    String toJson();

    /**
     * Reads an event from JSON, ignoring fields it does not know.
     *
     * @throws IllegalArgumentException if the text is not an event of this version, naming the field at fault
     */
    static JobEvent parse(String json) {
        return EventJson.read(json);
    }

    /**
     * The job was valid and is planned.
     *
     * @param jobId  the job
     * @param kind   its kind, {@code render}, {@code campaign}, {@code merge}, {@code train} or {@code upscale}
     * @param tasks  how many tasks it has: its images, or 1 for a merge
     * @param tenant whose job it is; every node's {@code GET /jobs/{id}} shows the job to that tenant (and an admin)
     *               alone. Empty in the events of farms before it was added: such a job is shown to admins alone.
     */
    record Accepted(String jobId, String kind, int tasks, Optional<String> tenant) implements JobEvent {
        public static final String TYPE = "accepted";

        /** The event of a job whose tenant is not told. */
        public Accepted(String jobId, String kind, int tasks) {
            this(jobId, kind, tasks, Optional.empty());
        }

        public Accepted {
            Rules.ID.require("jobId", jobId);
            Rules.KIND.require("kind", kind);
            EventJson.COUNT.require("tasks", (long) tasks);
            Objects.requireNonNull(tenant, "tenant").ifPresent(name -> EventJson.TENANT.require("tenant", name));
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Optional<String> recordKey() {
            return Optional.of(jobId);
        }

        @Override
        public String toJson() {
            ObjectNode node = EventJson.start(this, jobId).put("kind", kind).put("tasks", tasks);
            tenant.ifPresent(name -> node.put("tenant", name));
            return Json.write(node);
        }
    }

    /**
     * A sampling step of a task is done. The farm may leave out steps to keep the topic quiet.
     *
     * @param jobId          the job
     * @param taskId         the task being rendered
     * @param step           steps done in this task, 1..{@code steps}
     * @param steps          the task's steps
     * @param tasksCompleted the job's tasks completed so far
     * @param tasks          the job's tasks
     * @param training       how a training task learns, after each of its optimizer steps; empty for other tasks
     */
    record Progress(String jobId, String taskId, int step, int steps, int tasksCompleted, int tasks,
                    Optional<TrainingFigures> training) implements JobEvent {
        public static final String TYPE = "progress";

        /** The progress of a task that is not a training. */
        public Progress(String jobId, String taskId, int step, int steps, int tasksCompleted, int tasks) {
            this(jobId, taskId, step, steps, tasksCompleted, tasks, Optional.empty());
        }

        public Progress {
            Objects.requireNonNull(training, "training");
            Rules.ID.require("jobId", jobId);
            EventJson.TASK_ID.require("taskId", taskId);
            EventJson.COUNT.require("step", (long) step);
            EventJson.COUNT.require("steps", (long) steps);
            EventJson.COUNT.require("tasksCompleted", (long) tasksCompleted);
            EventJson.COUNT.require("tasks", (long) tasks);
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Optional<String> recordKey() {
            return Optional.of(jobId);
        }

        @Override
        public String toJson() {
            ObjectNode node = EventJson.start(this, jobId).put("taskId", taskId).put("step", step).put("steps", steps)
                    .put("tasksCompleted", tasksCompleted).put("tasks", tasks);
            training.ifPresent(figures -> node.set("training", figures.toTree()));
            return Json.write(node);
        }
    }

    /**
     * A task's image and sidecar are stored.
     *
     * @param jobId         the job
     * @param taskId        the task
     * @param key           the image's object key, {@code jobs/<jobId>/<taskId>.png}
     * @param parameterHash the hash of the task's parameters ({@link TaskParameters#hash()})
     * @param skipped       true when the image was already stored with these parameters and was not rendered
     */
    record TaskCompleted(String jobId, String taskId, String key, String parameterHash, boolean skipped)
            implements JobEvent {
        public static final String TYPE = "task-completed";

        public TaskCompleted {
            Rules.ID.require("jobId", jobId);
            EventJson.TASK_ID.require("taskId", taskId);
            EventJson.TEXT.require("key", key);
            EventJson.TEXT.require("parameterHash", parameterHash);
        }

        /** The event of a task whose outputs are stored. */
        public static TaskCompleted of(TaskSpec task, boolean skipped) {
            return new TaskCompleted(task.jobId(), task.id(), task.key(), task.parameterHash(), skipped);
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Optional<String> recordKey() {
            return Optional.of(jobId);
        }

        @Override
        public String toJson() {
            return Json.write(EventJson.start(this, jobId).put("taskId", taskId).put("key", key)
                    .put("parameterHash", parameterHash).put("skipped", skipped));
        }
    }

    /**
     * Every task of the job is stored.
     *
     * @param jobId the job
     * @param keys  every object the job stored: the image of each task in plan order, then any job-wide
     *              outputs (such as a contact sheet)
     */
    record Completed(String jobId, List<String> keys) implements JobEvent {
        public static final String TYPE = "completed";

        public Completed {
            Rules.ID.require("jobId", jobId);
            keys = List.copyOf(keys);
            for (int i = 0; i < keys.size(); i++) {
                EventJson.TEXT.require(FieldPath.index("keys", i), keys.get(i));
            }
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Optional<String> recordKey() {
            return Optional.of(jobId);
        }

        @Override
        public String toJson() {
            var node = EventJson.start(this, jobId);
            keys.forEach(node.putArray("keys")::add);
            return Json.write(node);
        }
    }

    /**
     * The job stopped before its end. Tasks stored before the failure stay stored; delivering the job
     * again resumes it.
     *
     * @param jobId  the job
     * @param taskId the task that failed, when one did
     * @param error  what went wrong
     */
    record Failed(String jobId, Optional<String> taskId, EventError error) implements JobEvent {
        public static final String TYPE = "failed";

        public Failed {
            Rules.ID.require("jobId", jobId);
            Objects.requireNonNull(taskId, "taskId").ifPresent(id -> EventJson.TASK_ID.require("taskId", id));
            Objects.requireNonNull(error, "error");
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Optional<String> recordKey() {
            return Optional.of(jobId);
        }

        @Override
        public String toJson() {
            var node = EventJson.start(this, jobId);
            taskId.ifPresent(id -> node.put("taskId", id));
            node.set("error", EventJson.write(error));
            return Json.write(node);
        }
    }

    /**
     * The job was refused and will not run. {@code error} in the JSON is the first problem, {@code errors}
     * all of them.
     *
     * @param jobId  the job's id, when it had a valid one
     * @param errors every problem, at least one
     * @param tenant who submitted it, as {@link Accepted#tenant()}
     */
    record Rejected(Optional<String> jobId, List<EventError> errors, Optional<String> tenant) implements JobEvent {
        public static final String TYPE = "rejected";

        /** The rejection of a submission whose tenant is not told. */
        public Rejected(Optional<String> jobId, List<EventError> errors) {
            this(jobId, errors, Optional.empty());
        }

        public Rejected {
            Objects.requireNonNull(jobId, "jobId").ifPresent(id -> Rules.ID.require("jobId", id));
            errors = List.copyOf(errors);
            if (errors.isEmpty()) {
                throw new IllegalArgumentException("errors = []: expected at least one error");
            }
            Objects.requireNonNull(tenant, "tenant").ifPresent(name -> EventJson.TENANT.require("tenant", name));
        }

        /** The event for a submission {@link JobParser} found invalid. */
        public static Rejected of(ParseResult.Invalid invalid) {
            return new Rejected(invalid.jobId(), invalid.errors().stream().map(EventError::of).toList());
        }

        /** This rejection, telling whose submission it was. */
        public Rejected withTenant(String tenant) {
            return new Rejected(jobId, errors, Optional.of(tenant));
        }

        /** The first problem: what a reader that shows one shows. */
        public EventError error() {
            return errors.get(0);
        }

        @Override
        public String type() {
            return TYPE;
        }

        @Override
        public Optional<String> recordKey() {
            return jobId;
        }

        @Override
        public String toJson() {
            var node = EventJson.start(this, jobId.orElse(null));
            node.set("error", EventJson.write(error()));
            var array = node.putArray("errors");
            errors.forEach(error -> array.add(EventJson.write(error)));
            tenant.ifPresent(name -> node.put("tenant", name));
            return Json.write(node);
        }
    }
}

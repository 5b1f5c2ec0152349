package dev.diffarm.farm.config;

import static dev.diffarm.farm.config.ValueReader.bool;
import static dev.diffarm.farm.config.ValueReader.integer;
import static dev.diffarm.farm.config.ValueReader.list;
import static dev.diffarm.farm.config.ValueReader.number;
import static dev.diffarm.farm.config.ValueReader.text;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.regex.Pattern;

/** Events to and from JSON. Reading ignores unknown fields and fails on the first problem. */
final class EventJson {
    private static final Pattern TASK_ID_PATTERN = Pattern.compile("t\\d{4}");

    static final Rule<String> TASK_ID = new Rule<>(id -> TASK_ID_PATTERN.matcher(id).matches(),
            "a task id, t0000..t" + (Limits.MAX_TASKS - 1));
    static final Rule<Long> COUNT = new Rule<>(count -> count >= 0 && count <= Integer.MAX_VALUE,
            "an integer of 0 or more");
    /** Most keys a {@code completed} event lists: every task's image, and room for what a job stores besides. */
    private static final int MAX_KEYS = 2 * Limits.MAX_TASKS;
    static final Rule<String> TEXT = new Rule<>(text -> !text.isBlank(), "a non-blank string");
    private static final Pattern TENANT_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");
    /** A tenant name, as the daemon's API keys and JWTs name them. */
    static final Rule<String> TENANT = new Rule<>(name -> TENANT_PATTERN.matcher(name).matches(),
            "a tenant name of 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit");
    private static final List<String> TYPES = List.of(JobEvent.Accepted.TYPE, JobEvent.Progress.TYPE,
            JobEvent.TaskCompleted.TYPE, JobEvent.Completed.TYPE, JobEvent.Failed.TYPE, JobEvent.Rejected.TYPE);
    private static final Rule<String> TYPE = new Rule<>(TYPES::contains, "an event type: " + String.join(", ", TYPES));
    private static final ValueReader<EventError> ERROR = (node, path, problems) ->
            FieldReader.of(node, path, problems, "an error object {\"code\": ..., \"message\": ...}").map(fields ->
                    new EventError(fields.required("code", text(TEXT), "an error code").orElseThrow(),
                            fields.required("message", text(TEXT), "an error message").orElseThrow(),
                            fields.optional("field", text(TEXT))));

    private EventJson() {
    }

    /** An event object with its common fields; {@code jobId} is left out when null. */
    static ObjectNode start(JobEvent event, String jobId) {
        ObjectNode node = Json.object();
        node.put("apiVersion", Job.API_VERSION);
        node.put("type", event.type());
        if (jobId != null) {
            node.put("jobId", jobId);
        }
        return node;
    }

    static ObjectNode write(EventError error) {
        ObjectNode node = Json.object();
        node.put("code", error.code());
        node.put("message", error.message());
        error.field().ifPresent(field -> node.put("field", field));
        return node;
    }

    static JobEvent read(String json) {
        JsonNode root;
        try {
            root = Json.read(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON (" + e.getOriginalMessage() + "): expected an event object", e);
        } catch (IOException e) {
            throw new UncheckedIOException("reading a string failed", e);
        }
        FieldReader fields = FieldReader.of(root, "event", Problems.THROWING, "an event object").orElseThrow();
        fields.required("apiVersion", text(Rules.API_VERSION), Rules.API_VERSION.expected());
        String type = fields.required("type", text(TYPE), TYPE.expected()).orElseThrow();
        if (type.equals(JobEvent.Rejected.TYPE)) {
            return new JobEvent.Rejected(fields.optional("jobId", text(Rules.ID)),
                    fields.required("errors", list(ERROR, "an array of error objects", Limits.MAX_ERRORS + 1), "the errors").orElseThrow(),
                    fields.optional("tenant", text(TENANT)));
        }
        String jobId = fields.required("jobId", text(Rules.ID), Rules.ID.expected()).orElseThrow();
        return switch (type) {
            case JobEvent.Accepted.TYPE -> new JobEvent.Accepted(jobId, string(fields, "kind", Rules.KIND),
                    count(fields, "tasks"), fields.optional("tenant", text(TENANT)));
            case JobEvent.Progress.TYPE -> new JobEvent.Progress(jobId, string(fields, "taskId", TASK_ID),
                    count(fields, "step"), count(fields, "steps"), count(fields, "tasksCompleted"), count(fields, "tasks"),
                    fields.optional("training", TRAINING));
            case JobEvent.TaskCompleted.TYPE -> new JobEvent.TaskCompleted(jobId, string(fields, "taskId", TASK_ID),
                    string(fields, "key", TEXT), string(fields, "parameterHash", TEXT),
                    fields.required("skipped", bool(), "true or false").orElseThrow());
            case JobEvent.Completed.TYPE -> new JobEvent.Completed(jobId,
                    fields.required("keys", list(text(TEXT), "an array of object keys", MAX_KEYS), "the object keys").orElseThrow());
            case JobEvent.Failed.TYPE -> new JobEvent.Failed(jobId, fields.optional("taskId", text(TASK_ID)),
                    fields.required("error", ERROR, "an error object").orElseThrow());
            default -> throw new IllegalStateException("event type " + type + " passed the type rule unread");
        };
    }

    private static final Rule<Double> FINITE = new Rule<>(Double::isFinite, "a finite number");
    private static final ValueReader<TrainingFigures> TRAINING = (node, path, problems) ->
            FieldReader.of(node, path, problems, "a training figures object").map(fields -> {
                TrainingFigures figures = new TrainingFigures(
                        fields.required("loss", number(FINITE), FINITE.expected()).orElseThrow(),
                        fields.required("smoothedLoss", number(FINITE), FINITE.expected()).orElseThrow(),
                        fields.required("learningRate", number(FINITE), FINITE.expected()).orElseThrow(),
                        fields.required("secondsPerStep", number(FINITE), FINITE.expected()).orElseThrow(),
                        fields.required("etaSeconds", integer(COUNT), COUNT.expected()).orElseThrow());
                fields.rejectUnknownFields();
                return figures;
            });

    private static String string(FieldReader fields, String name, Rule<String> rule) {
        return fields.required(name, text(rule), rule.expected()).orElseThrow();
    }

    private static int count(FieldReader fields, String name) {
        return fields.required(name, integer(COUNT), COUNT.expected()).orElseThrow().intValue();
    }
}

package dev.diffarm.farm.config;

import java.util.Collection;
import java.util.Objects;
import java.util.Optional;

/**
 * One problem found in a job: what kind of problem ({@link #code}), where ({@link #field}, a path into the
 * JSON document such as {@code prompts[2]} or {@code styles[0].template}), the offending value as JSON text,
 * and a message for people that names all three and says what was expected, for example
 * {@code steps = -1: expected an integer in 1..1000}.
 *
 * @param code    the kind of problem; its {@link Code#id id} is the {@code error.code} of a {@code rejected} event
 * @param field   the path of the offending field; empty when the problem is the document as a whole
 * @param value   the offending value as JSON text (long values shortened); empty when the field is missing
 * @param message the sentence to show to the job's author
 */
public record ValidationError(Code code, Optional<String> field, Optional<String> value, String message) {

    /** The kinds of problem, each with the stable id that events and logs carry. */
    public enum Code {
        /** The submission is not well-formed JSON (or repeats a field name). */
        NOT_JSON("not-json"),
        /** The submission is JSON, but not a JSON object. */
        NOT_AN_OBJECT("not-an-object"),
        /** {@code apiVersion} is missing or not one this contract reads. */
        UNSUPPORTED_API_VERSION("unsupported-api-version"),
        /** {@code kind} names no kind of job. */
        UNKNOWN_KIND("unknown-kind"),
        /** A required field is missing. */
        MISSING_FIELD("missing-field"),
        /** A field that the object does not have: usually a typo. */
        UNKNOWN_FIELD("unknown-field"),
        /** A value of the wrong JSON type, such as a string where a number belongs. */
        WRONG_TYPE("wrong-type"),
        /** A value of the right type outside what is allowed. */
        INVALID_VALUE("invalid-value"),
        /** A model, sampler, schedule or LoRA name that the farm does not have. */
        UNKNOWN_NAME("unknown-name"),
        /** The job expands into more tasks than {@link Limits#MAX_TASKS}. */
        TOO_MANY_TASKS("too-many-tasks"),
        /** More problems than {@link Limits#MAX_ERRORS}: the last error counts those not listed. */
        TOO_MANY_PROBLEMS("too-many-problems"),
        /** The submission is larger than the farm takes; it was not read. */
        TOO_LARGE("too-large"),
        /** A valid job that is estimated to need more memory or work per image than the node allows. */
        OVER_BUDGET("over-budget");

        private final String id;

        Code(String id) {
            this.id = id;
        }

        /** The stable, lower-case id of this code, such as {@code invalid-value}. */
        public String id() {
            return id;
        }
    }

    public ValidationError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(field, "field");
        Objects.requireNonNull(value, "value");
        Objects.requireNonNull(message, "message");
    }

    /** A field whose value is not what was expected: {@code field = value: expected ...}. */
    static ValidationError of(Code code, String field, String value, String expected) {
        return new ValidationError(code, Optional.of(field), Optional.of(value),
                field + " = " + value + ": expected " + expected);
    }

    static ValidationError missing(String field, String expected) {
        return new ValidationError(Code.MISSING_FIELD, Optional.of(field), Optional.empty(),
                field + " is missing: expected " + expected);
    }

    static ValidationError unknownField(String field, String value, Collection<String> known) {
        return new ValidationError(Code.UNKNOWN_FIELD, Optional.of(field), Optional.of(value),
                field + " is not a known field: expected one of " + String.join(", ", known));
    }

    static ValidationError notJson(String detail) {
        return new ValidationError(Code.NOT_JSON, Optional.empty(), Optional.empty(),
                "not JSON (" + detail + "): expected a JSON object");
    }

    static ValidationError notAnObject(String value, String jsonType) {
        return new ValidationError(Code.NOT_AN_OBJECT, Optional.empty(), Optional.of(value),
                "the document is " + jsonType + " " + value + ": expected a JSON object");
    }

    static ValidationError notListed(int more, int listed) {
        return new ValidationError(Code.TOO_MANY_PROBLEMS, Optional.empty(), Optional.of(Integer.toString(more)),
                more + " more problems are not listed (the first " + listed + " are)");
    }

    /**
     * Something of {@code size} bytes, over the farm's limit of {@code limit} bytes.
     *
     * @param what    what is too large, such as {@code the submission}
     * @param setting the setting that raises the limit, for the message
     */
    public static ValidationError tooLarge(String what, long size, long limit, String setting) {
        return new ValidationError(Code.TOO_LARGE, Optional.empty(), Optional.of(Long.toString(size)),
                what + " is " + size + " bytes: expected at most " + limit + " (" + setting + ")");
    }

    /**
     * A field whose value makes the job cost more than the node it was sent to allows.
     *
     * @param message the estimate and the limit, with the setting that raises it
     */
    public static ValidationError overBudget(String field, String value, String message) {
        return new ValidationError(Code.OVER_BUDGET, Optional.of(field), Optional.of(value), message);
    }

    static ValidationError tooManyTasks(String expansion, long tasks) {
        return new ValidationError(Code.TOO_MANY_TASKS, Optional.empty(), Optional.of(Long.toString(tasks)),
                "the job expands into " + expansion + " = " + tasks + " tasks: expected at most " + Limits.MAX_TASKS);
    }
}

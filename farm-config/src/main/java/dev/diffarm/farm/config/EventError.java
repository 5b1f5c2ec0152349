package dev.diffarm.farm.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Why a job was rejected or failed, as the {@code error} object of an event:
 * {@code {"code": "invalid-value", "message": "steps = -1: expected an integer in 1..1000", "field": "steps"}}.
 *
 * @param code    a stable, lower-case id: a {@link ValidationError.Code#id()} for a rejected job, or the
 *                farm's own code for a failure (such as {@code render-failed})
 * @param message the sentence to show to people
 * @param field   the path of the offending job field, when one field is at fault
 */
public record EventError(String code, String message, Optional<String> field) {
    public EventError {
        Objects.requireNonNull(code, "code");
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(field, "field");
    }

    /** An error that concerns no single field. */
    public EventError(String code, String message) {
        this(code, message, Optional.empty());
    }

    /** The event form of a validation problem. */
    public static EventError of(ValidationError error) {
        return new EventError(error.code().id(), error.message(), error.field());
    }
}

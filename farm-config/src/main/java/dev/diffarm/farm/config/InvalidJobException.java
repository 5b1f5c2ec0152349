package dev.diffarm.farm.config;

import java.util.List;
import java.util.stream.Collectors;

/** A job that is not valid; its message lists every problem, one per line. */
public final class InvalidJobException extends IllegalArgumentException {
    private final transient List<ValidationError> errors;

    public InvalidJobException(List<ValidationError> errors) {
        super(errors.stream().map(ValidationError::message).collect(Collectors.joining("\n")));
        this.errors = List.copyOf(errors);
    }

    /** Every problem, in the order found. */
    public List<ValidationError> errors() {
        return errors;
    }
}

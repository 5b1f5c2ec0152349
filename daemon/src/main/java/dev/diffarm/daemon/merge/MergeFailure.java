package dev.diffarm.daemon.merge;

import dev.diffarm.farm.config.EventError;
import java.util.Optional;

/**
 * A merge job could not make its model. {@link #error()} is the {@code error} of the job's {@code failed} event, with
 * the job field at fault when one is ({@code output} for a name that is taken, {@code a} for a model that is gone).
 */
public final class MergeFailure extends RuntimeException {
    private final String code;
    private final Optional<String> field;

    MergeFailure(String code, String message, Optional<String> field, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.field = field;
    }

    public EventError error() {
        return new EventError(code, getMessage(), field);
    }
}

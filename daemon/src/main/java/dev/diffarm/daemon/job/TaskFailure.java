package dev.diffarm.daemon.job;

import dev.diffarm.farm.config.EventError;

/** A task could not be made; {@link #error()} is the {@code error} of the job's {@code failed} event. */
public final class TaskFailure extends RuntimeException {
    private final transient EventError error;

    public TaskFailure(EventError error, Throwable cause) {
        super(error.message(), cause);
        this.error = error;
    }

    public EventError error() {
        return error;
    }
}

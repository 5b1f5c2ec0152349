package dev.diffarm.engine.train.data;

import java.io.IOException;

/**
 * A dataset a job cannot train on: a folder outside the allowed roots, an empty folder, an unreadable or oversized
 * image, an empty caption file. The message names the file; {@link #field()} names the job field it came from, so
 * a farm can reject the job instead of failing the node.
 */
public final class InvalidDatasetException extends IOException {
    private final String field;

    InvalidDatasetException(String field, String message) {
        super(message);
        this.field = field;
    }

    InvalidDatasetException(String field, String message, Throwable cause) {
        super(message, cause);
        this.field = field;
    }

    /** The job field whose value is at fault, e.g. {@code dataset}. */
    public String field() {
        return field;
    }
}

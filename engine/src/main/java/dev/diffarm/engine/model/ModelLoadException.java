package dev.diffarm.engine.model;

/** A model that cannot be loaded: a missing file, a missing or unexpected tensor, a foreign architecture. */
public class ModelLoadException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public ModelLoadException(String message) {
        super(message);
    }

    public ModelLoadException(String message, Throwable cause) {
        super(message, cause);
    }
}

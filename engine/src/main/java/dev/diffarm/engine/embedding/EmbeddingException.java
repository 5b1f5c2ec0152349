package dev.diffarm.engine.embedding;

/** A textual-inversion embedding that cannot be read or used; the message names the file or the trigger. */
public class EmbeddingException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public EmbeddingException(String message) {
        super(message);
    }

    public EmbeddingException(String message, Throwable cause) {
        super(message, cause);
    }
}

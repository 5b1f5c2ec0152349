package dev.diffarm.engine.clip;

/**
 * A CLIP tokenizer that cannot be found or read; the message names the file (and line) at fault, or says
 * where diffarm looked and how to supply the files.
 */
public class TokenizerException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TokenizerException(String message) {
        super(message);
    }

    public TokenizerException(String message, Throwable cause) {
        super(message, cause);
    }
}

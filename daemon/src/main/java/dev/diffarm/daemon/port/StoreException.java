package dev.diffarm.daemon.port;

/** An {@link OutputStore} could not be read or written; the message names the key and the cause. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}

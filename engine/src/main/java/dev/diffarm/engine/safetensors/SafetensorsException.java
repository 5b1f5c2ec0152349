package dev.diffarm.engine.safetensors;

/** A safetensors file that cannot be read as it claims to be; the message names the file and the tensor. */
public class SafetensorsException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SafetensorsException(String message) {
        super(message);
    }

    public SafetensorsException(String message, Throwable cause) {
        super(message, cause);
    }
}

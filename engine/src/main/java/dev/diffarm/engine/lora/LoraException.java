package dev.diffarm.engine.lora;

/** A LoRA that cannot be used as given: an unreadable file, a name outside the LoRA folder, a layer of the wrong size. */
public class LoraException extends RuntimeException {
    public LoraException(String message) {
        super(message);
    }

    public LoraException(String message, Throwable cause) {
        super(message, cause);
    }
}

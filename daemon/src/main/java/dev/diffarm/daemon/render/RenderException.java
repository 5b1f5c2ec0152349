package dev.diffarm.daemon.render;

/**
 * A task could not be rendered. {@link #code()} becomes the {@code error.code} of the job's {@code failed}
 * event: {@value #MODEL_UNAVAILABLE} when the model could not be loaded, {@value #LORA_UNAVAILABLE} when one of
 * its LoRAs could not be found, read or fitted to the model, {@value #INPUT_UNAVAILABLE} when a picture it names
 * ({@code initImage}, {@code mask}) is not in the store or cannot be decoded, {@value #INPUT_INVALID} when the pictures
 * do not fit together (a mask of another size), {@value #RENDER_FAILED} when the engine failed on it.
 */
public class RenderException extends RuntimeException {
    public static final String MODEL_UNAVAILABLE = "model-unavailable";
    public static final String LORA_UNAVAILABLE = "lora-unavailable";
    public static final String RENDER_FAILED = "render-failed";
    public static final String INPUT_UNAVAILABLE = "input-unavailable";
    public static final String INPUT_INVALID = "input-invalid";

    private final String code;

    public RenderException(String code, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
    }

    public String code() {
        return code;
    }
}

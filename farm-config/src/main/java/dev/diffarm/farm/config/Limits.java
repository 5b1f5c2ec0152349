package dev.diffarm.farm.config;

/**
 * The bounds a job must stay within. They are the engine's own bounds (a job the contract accepts is one the
 * engine can render) plus a cap on the number of tasks one job may expand into.
 */
public final class Limits {
    /** Fewest sampling steps. */
    public static final int MIN_STEPS = 1;
    /** Most sampling steps. */
    public static final int MAX_STEPS = 1000;
    /** Smallest image side in pixels. */
    public static final int MIN_SIDE = 8;
    /** Largest image side in pixels. */
    public static final int MAX_SIDE = 4096;
    /** Image sides are multiples of this: the VAE downsamples by 8. */
    public static final int SIDE_MULTIPLE = 8;
    /** Largest classifier-free guidance scale. */
    public static final double MAX_CFG = 100;
    /** Largest clip skip (AUTOMATIC1111's numbering: 1 is the text encoder's last layer). */
    public static final int MAX_CLIP_SKIP = 12;
    /** Largest seed: seeds are unsigned 32-bit numbers, as AUTOMATIC1111 and most UIs give them. */
    public static final long MAX_SEED = 0xFFFF_FFFFL;
    /** Largest LoRA weight by magnitude. */
    public static final double MAX_LORA_WEIGHT = 10;
    /** Most tasks (images) one job may expand into; task ids have four digits. */
    public static final int MAX_TASKS = 10_000;
    /** Longest job id: it becomes the object key prefix {@code jobs/<id>/}. */
    public static final int MAX_ID_LENGTH = 128;
    /** Longest prompt, negative prompt or style template, in characters. */
    public static final int MAX_TEXT_LENGTH = 10_000;
    /** Longest model, sampler, schedule, LoRA or style name. */
    public static final int MAX_NAME_LENGTH = 256;
    /** Most items in a list of prompts, seeds, sizes or styles: more could never fit {@link #MAX_TASKS}. */
    public static final int MAX_LIST_ITEMS = MAX_TASKS;
    /** Most LoRAs in one {@code loras} list. */
    public static final int MAX_LORAS = 32;
    /** Most problems one rejection lists; the rest are counted. */
    public static final int MAX_ERRORS = 50;
    /** Deepest nesting of arrays and objects in a job's JSON; a job itself nests 4 deep. */
    public static final int MAX_NESTING_DEPTH = 16;
    /** Longest number in a job's JSON, in characters. */
    public static final int MAX_NUMBER_LENGTH = 64;

    private Limits() {
    }

    /** The highest LoRA rank ({@code networkDim}) and alpha of a train job. */
    public static final int MAX_NETWORK_DIM = 1024;
    /** The most optimizer steps of a train job. */
    public static final int MAX_TRAIN_STEPS = 1_000_000;
    /** The largest batch and accumulation of a train job. */
    public static final int MAX_TRAIN_BATCH = 1024;

    /** Most bytes of a picture given inline ({@code data:} URI) as {@code initImage} or {@code mask}. */
    public static final int MAX_INLINE_IMAGE_BYTES = 4 * 1024 * 1024;
    /** Most pixels of a picture a job names, inline or stored: it is decoded on the heap. */
    public static final long MAX_INPUT_PIXELS = (long) MAX_SIDE * MAX_SIDE;
    /** Longest store key of a picture a job names. */
    public static final int MAX_INPUT_KEY_LENGTH = 1024;
    /** Largest {@code maskBlur}, in pixels (the engine's bound). */
    public static final int MAX_MASK_BLUR = 64;
    /** Largest {@code hrScale} (the engine's bound). */
    public static final double MAX_HIRES_SCALE = 8;
    /**
     * The latent hires upscalers, as AUTOMATIC1111 names them (the engine's); a hires pass may also name an upscaler
     * of the farm's {@link Catalog} ({@code Lanczos}, an ESRGAN model file).
     */
    public static final java.util.List<String> HIRES_UPSCALERS = java.util.List.of("Latent", "Latent (nearest)",
            "Latent (nearest-exact)");
    /** The most pictures of one upscale job. */
    public static final int MAX_UPSCALE_IMAGES = 1000;
    /** Largest {@code scale} of an upscale job (A1111's Extras allow 8). */
    public static final double MAX_UPSCALE_FACTOR = 8;
    /** Largest side of an upscaled picture: 16384 px is 3 GiB of float pixels on the way. */
    public static final int MAX_UPSCALED_SIDE = 16384;
    /** The highest {@code noiseLevel} of an SD x4 upscale: the {@code max_noise_level} of stabilityai's x4 upscaler. */
    public static final int MAX_NOISE_LEVEL = 350;
    /** Largest {@code tile} of an upscale job, in input pixels. */
    public static final int MAX_TILE = MAX_SIDE;
    /** Most ControlNet units of one task (sd-webui-controlnet's most, and the engine's bound). */
    public static final int MAX_CONTROLNETS = 10;
    /** Largest ControlNet {@code weight} (the engine's bound, as sd-webui-controlnet's slider). */
    public static final double MAX_CONTROLNET_WEIGHT = 2;
    /** Largest preprocessor threshold: Canny's gradient of an 8-bit picture is at most 2040. */
    public static final double MAX_CONTROL_THRESHOLD = 2040;
    /** Smallest ControlNet {@code processorRes} (sd-webui-controlnet's slider, and the engine's bound). */
    public static final int MIN_PROCESSOR_RES = 64;
    /** Largest ControlNet {@code processorRes} (sd-webui-controlnet's slider, and the engine's bound). */
    public static final int MAX_PROCESSOR_RES = 2048;
    /** The most caption tags kept in front ({@code keepTokens}): CLIP reads 75 tokens. */
    public static final int MAX_CAPTION_TAGS = 75;
    /** The most class images of a DreamBooth job. */
    public static final int MAX_CLASS_IMAGES = 10_000;
    /** The most vectors one textual-inversion token stands for. */
    public static final int MAX_TOKEN_VECTORS = 64;
}

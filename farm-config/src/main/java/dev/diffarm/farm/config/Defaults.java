package dev.diffarm.farm.config;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * What a field that a job leaves out means. The shipped JSON Schema states the same defaults.
 *
 * <p>Seeds have no constant default: a job must render the same images when it is delivered again, so a job
 * without {@code seeds} gets one seed derived from its id ({@link #seedFor}). Two jobs with the same prompt
 * and different ids then give different images, as a random seed would, yet each job is reproducible.
 */
public final class Defaults {
    /** The sampler, as AUTOMATIC1111 names it. */
    public static final String SAMPLER = "Euler a";
    /** Sampling steps. */
    public static final int STEPS = 20;
    /** Classifier-free guidance scale (AUTOMATIC1111's default). */
    public static final double CFG = 7.0;
    /** Image width in pixels. */
    public static final int WIDTH = 512;
    /** Image height in pixels. */
    public static final int HEIGHT = 512;
    /** The negative prompt: none. */
    public static final String NEGATIVE_PROMPT = "";
    /** Clip skip: the text encoder's last layer. */
    public static final int CLIP_SKIP = 1;
    /** Weight of a LoRA that names no weight. */
    public static final double LORA_WEIGHT = 1.0;
    /** The one size of a campaign that lists none. */
    public static final Size SIZE = new Size(WIDTH, HEIGHT);
    /** The one style of a campaign that lists none: the prompts as written. */
    public static final Style STYLE = new Style("plain", Style.PROMPT_PLACEHOLDER, NEGATIVE_PROMPT, List.of());

    private Defaults() {
    }

    /**
     * The seed of a job that lists none: the first four bytes of the SHA-256 of the job id's UTF-8 bytes,
     * read as a big-endian unsigned number (so within 0..{@value Limits#MAX_SEED}).
     */
    public static long seedFor(String jobId) {
        byte[] digest = Sha256.digest(jobId.getBytes(StandardCharsets.UTF_8));
        return Integer.toUnsignedLong(ByteBuffer.wrap(digest).getInt());
    }

    /** The fine-tune method of a train job. */
    public static final String TRAIN_METHOD = "lora";
    /** kohya's {@code --learning_rate}. */
    public static final double LEARNING_RATE = 1e-4;
    /** kohya's {@code --network_dim} when none is given. */
    public static final int NETWORK_DIM = 4;
    /** kohya's {@code --network_alpha}. */
    public static final double NETWORK_ALPHA = 1.0;
    /** kohya's {@code --max_train_steps}. */
    public static final int MAX_TRAIN_STEPS = 1600;
    /** kohya's {@code --train_batch_size}. */
    public static final int TRAIN_BATCH_SIZE = 1;
    /** kohya's {@code --gradient_accumulation_steps}. */
    public static final int GRADIENT_ACCUMULATION_STEPS = 1;
    /** kohya's {@code --max_grad_norm}. */
    public static final double MAX_GRAD_NORM = 1.0;
    /** kohya's {@code --lr_scheduler}. */
    public static final String LR_SCHEDULER = "constant";
    /** kohya's {@code --lr_warmup_steps}. */
    public static final int LR_WARMUP_STEPS = 0;
    /** kohya's {@code --resolution}. */
    public static final int RESOLUTION = 512;
    /** The seed of a train job that names none (kohya draws one at random; a farm job must be reproducible). */
    public static final long TRAIN_SEED = 42;

    /** img2img's and inpainting's {@code denoisingStrength} (A1111's). */
    public static final double DENOISING_STRENGTH = 0.75;
    /** Outpainting's {@code denoisingStrength}: the new area is all noise. */
    public static final double OUTPAINT_DENOISING_STRENGTH = 1.0;
    /** A hires pass's {@code denoisingStrength} (A1111's). */
    public static final double HIRES_DENOISING_STRENGTH = 0.7;
    /** {@code maskBlur} in pixels (A1111's). */
    public static final int MASK_BLUR = 4;
    /** {@code inpaintFullResPadding} in pixels (A1111's UI). */
    public static final int INPAINT_FULL_RES_PADDING = 32;
    /** {@code hrScale} (A1111's). */
    public static final double HR_SCALE = 2.0;
    /** {@code hrUpscaler} (A1111's). */
    public static final String HR_UPSCALER = "Latent";
}

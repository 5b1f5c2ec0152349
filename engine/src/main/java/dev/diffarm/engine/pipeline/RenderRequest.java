package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.image.GenerationParameters;
import dev.diffarm.engine.prompt.Emphasis;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * What to render: one txt2img run of {@code batch} images sharing a prompt and a seed.
 *
 * @param prompt         the prompt
 * @param negativePrompt the negative prompt ("" for none)
 * @param sampler        a sampler name ({@code Euler a}, {@code DDIM})
 * @param steps          sampling steps, at least 1
 * @param cfgScale       classifier-free guidance scale; 1 turns guidance off
 * @param seed           seed of the job's generator (as {@code torch.Generator("cpu").manual_seed})
 * @param width          image width in pixels, a multiple of the VAE's scale factor
 * @param height         image height in pixels, a multiple of the VAE's scale factor
 * @param batch          images drawn from the one generator, as diffusers' {@code num_images_per_prompt}
 * @param clipSkip       1 for the text encoder's last layer, 2 for the penultimate (AUTOMATIC1111's numbering)
 * @param emphasis       whether the prompts' emphasis syntax is read (A1111's default) or is plain text
 * @param schedule       a noise schedule's name ({@code Karras}), or {@code default} for the model's own; empty
 *                       for the one the sampler name ends with ({@code DPM++ 2M Karras}), else the model's own
 * @param eta            the sampler's share of fresh noise per step, for DDIM and ancestral samplers; empty for the
 *                       sampler's default
 */
public record RenderRequest(String prompt, String negativePrompt, String sampler, int steps, double cfgScale, long seed,
                            int width, int height, int batch, int clipSkip, Emphasis emphasis, Optional<String> schedule,
                            OptionalDouble eta) {

    public static final int MAX_SIDE = 4096;
    public static final int MAX_STEPS = 1000;
    public static final int MAX_BATCH = 64;

    public RenderRequest {
        require(prompt != null, "prompt", null, "a string");
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        require(sampler != null && !sampler.isBlank(), "sampler", sampler, "a sampler name");
        require(steps >= 1 && steps <= MAX_STEPS, "steps", steps, "1.." + MAX_STEPS);
        require(Double.isFinite(cfgScale) && cfgScale >= 0 && cfgScale <= 100, "cfg", cfgScale, "a number in 0..100");
        require(width >= 8 && width <= MAX_SIDE, "width", width, "8.." + MAX_SIDE + " pixels");
        require(height >= 8 && height <= MAX_SIDE, "height", height, "8.." + MAX_SIDE + " pixels");
        require(batch >= 1 && batch <= MAX_BATCH, "batch", batch, "1.." + MAX_BATCH);
        require(clipSkip >= 1, "clip skip", clipSkip, "1 or more");
        require(emphasis != null, "emphasis", null, "an emphasis mode");
        schedule = schedule == null ? Optional.empty() : schedule;
        eta = eta == null ? OptionalDouble.empty() : eta;
        if (eta.isPresent()) {
            require(Double.isFinite(eta.getAsDouble()), "eta", eta.getAsDouble(), "a finite number");
        }
    }

    /** A request on the sampler's own schedule and eta. */
    public RenderRequest(String prompt, String negativePrompt, String sampler, int steps, double cfgScale, long seed,
                         int width, int height, int batch, int clipSkip, Emphasis emphasis) {
        this(prompt, negativePrompt, sampler, steps, cfgScale, seed, width, height, batch, clipSkip, emphasis,
                Optional.empty(), OptionalDouble.empty());
    }

    /** A request with AUTOMATIC1111's emphasis, on the sampler's own schedule and eta. */
    public RenderRequest(String prompt, String negativePrompt, String sampler, int steps, double cfgScale, long seed,
                         int width, int height, int batch, int clipSkip) {
        this(prompt, negativePrompt, sampler, steps, cfgScale, seed, width, height, batch, clipSkip, Emphasis.ORIGINAL);
    }

    /**
     * How an image of this request was made, for its PNG's {@code parameters} chunk (batch position aside).
     *
     * @param samplerName the sampler as AUTOMATIC1111 names it (the registry entry's name, whatever alias the
     *                    request used)
     * @param modelHash   the model's short hash ({@link dev.diffarm.engine.image.ModelHash#shortHash})
     * @param modelName   the model's name ({@link StableDiffusion#name()})
     */
    public GenerationParameters generationParameters(String samplerName, String modelHash, String modelName) {
        return new GenerationParameters(prompt, negativePrompt, steps, samplerName, cfgScale, seed, width, height,
                modelHash, modelName).withClipSkip(clipSkip).withEmphasis(emphasis);
    }

    private static void require(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(field + " = " + value + ": expected " + expected);
        }
    }
}

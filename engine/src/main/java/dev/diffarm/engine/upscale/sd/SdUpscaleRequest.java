package dev.diffarm.engine.upscale.sd;

import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.prompt.Emphasis;
import java.util.Objects;

/**
 * One SD x4 upscale, as diffusers' {@code StableDiffusionUpscalePipeline(prompt, image, num_inference_steps,
 * guidance_scale, noise_level, negative_prompt, generator)} takes it.
 *
 * @param lowRes         the picture to enlarge, in [0, 1]; its sides must be multiples of the VAE's scale factor
 *                       (diffusers' image processor would otherwise resize it)
 * @param prompt         what the picture shows, in AUTOMATIC1111's prompt syntax
 * @param negativePrompt what to steer away from ("" for none)
 * @param sampler        a sampler name ({@code DDIM}, {@code Euler a}); the upscaler's own scheduler config gives
 *                       its noise levels
 * @param steps          sampling steps, at least 1 (diffusers' default is 75)
 * @param cfgScale       classifier-free guidance scale; 1 turns guidance off (diffusers' default is 9)
 * @param seed           seed of the generator that draws the low-res image's noise, then the initial latents
 * @param noiseLevel     how much noise is added to the low-res image, 0 .. the model's {@code max_noise_level}
 *                       (diffusers' default is 20); the UNet is told it as a class label
 * @param emphasis       whether the prompts' emphasis syntax is read (A1111's default) or is plain text (diffusers)
 */
public record SdUpscaleRequest(Picture lowRes, String prompt, String negativePrompt, String sampler, int steps,
                               double cfgScale, long seed, int noiseLevel, Emphasis emphasis) {
    /** diffusers' default {@code noise_level}. */
    public static final int DEFAULT_NOISE_LEVEL = 20;

    public SdUpscaleRequest {
        Objects.requireNonNull(lowRes, "lowRes");
        require(prompt != null, "prompt", null, "a string");
        negativePrompt = negativePrompt == null ? "" : negativePrompt;
        require(sampler != null && !sampler.isBlank(), "sampler", sampler, "a sampler name");
        require(steps >= 1 && steps <= GenerationRequest.MAX_STEPS, "steps", steps, "1.." + GenerationRequest.MAX_STEPS);
        require(Double.isFinite(cfgScale) && cfgScale >= 0 && cfgScale <= 100, "cfg", cfgScale, "a number in 0..100");
        require(seed >= 0, "seed", seed, "0 or more");
        require(noiseLevel >= 0, "noise level", noiseLevel, "0 or more");
        require(emphasis != null, "emphasis", null, "an emphasis mode");
    }

    private static void require(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(field + " = " + value + ": expected " + expected);
        }
    }
}

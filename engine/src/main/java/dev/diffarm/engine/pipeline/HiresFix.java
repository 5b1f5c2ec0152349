package dev.diffarm.engine.pipeline;

import java.util.Objects;

/**
 * AUTOMATIC1111's hires fix: after the first pass at the request's size, its latents are upscaled and a second
 * img2img pass runs on them at {@code denoisingStrength}, from a generator seeded again with the request's seed.
 *
 * @param scale             the factor on the request's width and height; the result is {@code int(width * scale)}
 *                          x {@code int(height * scale)}, which must be multiples of the VAE's scale factor
 * @param upscaler          how the first pass is enlarged: its latents, or its pictures by an upscaler plugin
 * @param steps             the second pass's steps; 0 for the request's steps (A1111's "Hires steps" 0)
 * @param denoisingStrength how much the second pass repaints, in (0, 1]
 * @param stepsRule         how the second pass counts its steps: A1111's (the default) or diffusers'
 */
public record HiresFix(double scale, HiresUpscaler upscaler, int steps, double denoisingStrength,
                       StepsRule stepsRule) {
    public HiresFix {
        if (!(scale >= 1 && scale <= 8)) {
            throw new IllegalArgumentException("hires scale = " + scale + ": expected a number in 1..8");
        }
        Objects.requireNonNull(upscaler, "hires upscaler");
        if (steps < 0 || steps > GenerationRequest.MAX_STEPS) {
            throw new IllegalArgumentException("hires steps = " + steps + ": expected 0.." + GenerationRequest.MAX_STEPS);
        }
        if (!(denoisingStrength > 0 && denoisingStrength <= 1)) {
            throw new IllegalArgumentException("denoising strength = " + denoisingStrength
                    + ": expected a number in (0, 1]");
        }
        stepsRule = stepsRule == null ? StepsRule.A1111 : stepsRule;
    }

    int width(int baseWidth) {
        return (int) (baseWidth * scale);
    }

    int height(int baseHeight) {
        return (int) (baseHeight * scale);
    }

    /** The steps the second pass is asked for: its own, or the first pass's. */
    int stepsFor(int baseSteps) {
        return steps == 0 ? baseSteps : steps;
    }
}

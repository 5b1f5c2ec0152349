package dev.diffarm.farm.config;

import java.util.Objects;

/**
 * AUTOMATIC1111's hires fix: the image rendered at the task's size, enlarged by {@code scale} and repainted. In
 * JSON the top-level fields {@code enableHr: true}, {@code hrScale}, {@code hrUpscaler}, {@code hrSecondPassSteps},
 * {@code hrStepsRule} and {@code denoisingStrength}.
 *
 * @param scale             {@code hrScale}, 1..{@value Limits#MAX_HIRES_SCALE} (default {@value Defaults#HR_SCALE});
 *                          {@code int(side * scale)} must be a multiple of {@value Limits#SIDE_MULTIPLE}
 * @param upscaler          {@code hrUpscaler}, as A1111 names it (default {@value Defaults#HR_UPSCALER}): one of
 *                          {@link Limits#HIRES_UPSCALERS} (in latent space), or an upscaler's name ({@code Lanczos},
 *                          an upscaler model file's name), which enlarges the decoded first pass
 * @param secondPassSteps   {@code hrSecondPassSteps}; 0 (the default) for the task's steps
 * @param denoisingStrength {@code denoisingStrength}: how much the second pass repaints, in (0, 1] (default
 *                          {@value Defaults#HIRES_DENOISING_STRENGTH})
 * @param stepsRule         {@code hrStepsRule} (default a1111)
 */
public record HiresSettings(double scale, String upscaler, int secondPassSteps, double denoisingStrength,
                            HiresStepsRule stepsRule) {
    public HiresSettings {
        Rules.HR_SCALE.require("hrScale", scale);
        Rules.HR_UPSCALER.require("hrUpscaler", upscaler);
        Rules.HR_STEPS.require("hrSecondPassSteps", (long) secondPassSteps);
        Rules.DENOISING_STRENGTH.require("denoisingStrength", denoisingStrength);
        Objects.requireNonNull(stepsRule, "hrStepsRule");
    }

    /** A hires pass by {@code scale} with the other defaults. */
    public static HiresSettings of(double scale) {
        return new HiresSettings(scale, Defaults.HR_UPSCALER, 0, Defaults.HIRES_DENOISING_STRENGTH, HiresStepsRule.A1111);
    }

    /** The second pass's side for a first pass's {@code side}: {@code int(side * scale)}, as A1111 computes it. */
    long side(int side) {
        return (long) (side * scale);
    }
}

package dev.diffarm.farm.config;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * Where an inpainting repaints its init image, and how. In JSON the top-level fields {@code mask},
 * {@code maskBlur}, {@code inpaintingMaskInvert}, {@code inpaintingFill}, {@code inpaintFullRes} and
 * {@code inpaintFullResPadding} (AUTOMATIC1111's API names in camelCase).
 *
 * @param image             the mask: white is repainted, black kept; the init image's size
 * @param blur              {@code maskBlur}: the Gaussian's pixels before the mask is cut at one half,
 *                          0..{@value Limits#MAX_MASK_BLUR} (default {@value Defaults#MASK_BLUR})
 * @param invert            {@code inpaintingMaskInvert}: repaint the black part instead
 * @param fill              {@code inpaintingFill}: what the repainted area starts from (default original)
 * @param onlyMaskedPadding {@code inpaintFullRes} ("only masked") with its {@code inpaintFullResPadding} in pixels
 *                          (default {@value Defaults#INPAINT_FULL_RES_PADDING}); empty for the whole picture
 */
public record MaskSettings(ImageInput image, int blur, boolean invert, InpaintingFill fill,
                           OptionalInt onlyMaskedPadding) {
    public MaskSettings {
        Objects.requireNonNull(image, "mask");
        Rules.MASK_BLUR.require("maskBlur", (long) blur);
        Objects.requireNonNull(fill, "inpaintingFill");
        Objects.requireNonNull(onlyMaskedPadding, "onlyMaskedPadding")
                .ifPresent(padding -> Rules.PADDING.require("inpaintFullResPadding", (long) padding));
    }

    /** A mask with the defaults: blurred by {@value Defaults#MASK_BLUR}, the original picture, the whole picture. */
    public static MaskSettings of(ImageInput image) {
        return new MaskSettings(image, Defaults.MASK_BLUR, false, InpaintingFill.ORIGINAL, OptionalInt.empty());
    }
}

package dev.diffarm.farm.config;

import java.util.Objects;
import java.util.Optional;

/**
 * The picture a task starts from instead of noise: img2img; with a mask, inpainting; with sides, outpainting. In
 * JSON the top-level fields {@code initImage}, {@code resizeMode} and {@code denoisingStrength}, with
 * {@link MaskSettings}' fields or {@code outpaint}.
 *
 * @param image             {@code initImage}
 * @param resizeMode        {@code resizeMode}: how it is fitted to the task's size (default just-resize)
 * @param denoisingStrength {@code denoisingStrength}: how much is repainted, in (0, 1] (default
 *                          {@value Defaults#DENOISING_STRENGTH}; {@value Defaults#OUTPAINT_DENOISING_STRENGTH} when
 *                          outpainting)
 * @param mask              where it is repainted; empty for all of it (img2img) or for outpainting
 * @param outpaint          the sides its canvas is extended by; empty for none. Not together with a mask
 */
public record InitImageSettings(ImageInput image, InitResizeMode resizeMode, double denoisingStrength,
                                Optional<MaskSettings> mask, Optional<OutpaintSides> outpaint) {
    /** Why a mask and outpainting do not go together, completing "expected ...". */
    static final String MASK_OR_OUTPAINT = "no mask with outpaint: outpainting inpaints exactly the new area";

    public InitImageSettings {
        Objects.requireNonNull(image, "initImage");
        Objects.requireNonNull(resizeMode, "resizeMode");
        Rules.DENOISING_STRENGTH.require("denoisingStrength", denoisingStrength);
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(outpaint, "outpaint");
        if (mask.isPresent() && outpaint.isPresent()) {
            throw new IllegalArgumentException("mask: expected " + MASK_OR_OUTPAINT);
        }
        mask.ifPresent(m -> sizeMismatch(image, m.image()).ifPresent(problem -> {
            throw new IllegalArgumentException("mask: " + problem);
        }));
    }

    /** img2img from {@code image} at {@code denoisingStrength}, stretched to the task's size. */
    public static InitImageSettings img2img(ImageInput image, double denoisingStrength) {
        return new InitImageSettings(image, InitResizeMode.JUST_RESIZE, denoisingStrength, Optional.empty(),
                Optional.empty());
    }

    /** The problem when both pictures are inline and their sizes differ (a stored one's size is known later). */
    static Optional<String> sizeMismatch(ImageInput image, ImageInput mask) {
        if (image instanceof InlineImage picture && mask instanceof InlineImage m
                && (picture.width() != m.width() || picture.height() != m.height())) {
            return Optional.of("a " + m.width() + "x" + m.height() + " mask: expected the initImage's size "
                    + picture.width() + "x" + picture.height());
        }
        return Optional.empty();
    }
}

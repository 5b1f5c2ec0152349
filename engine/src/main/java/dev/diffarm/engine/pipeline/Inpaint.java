package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.train.data.Rgb8Image;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Inpainting as a caller asks for it: a mask picture of the init image's size and AUTOMATIC1111's options, made
 * into the request's {@link InitImage} and {@link InpaintMask} ({@link #request}). The CLI's {@code inpaint} and the
 * farm's inpainting jobs both go through it, so a mask is fitted the same way for both.
 *
 * @param mask              the mask picture: white (its grey value after blurring at least one half) is repainted
 * @param blur              A1111's "Mask blur" in pixels; 0 for a sharp mask
 * @param invert            A1111's "Inpaint not masked"
 * @param content           A1111's "Masked content"
 * @param onlyMaskedPadding A1111's "Only masked" with its padding; empty for "Whole picture"
 */
public record Inpaint(Rgb8Image mask, int blur, boolean invert, MaskedContent content, OptionalInt onlyMaskedPadding) {
    public Inpaint {
        Objects.requireNonNull(mask, "mask");
        Objects.requireNonNull(content, "masked content");
        Objects.requireNonNull(onlyMaskedPadding, "only masked padding");
    }

    /**
     * {@code base} made an inpainting of {@code picture} at {@code strength}: the picture fitted to the request's
     * size by {@code mode}, and the mask with it (for "Whole picture"; "Only masked" cuts its box out of the picture
     * at the picture's own size).
     *
     * @throws IllegalArgumentException when the mask's size is not the picture's
     */
    public GenerationRequest request(GenerationRequest base, RgbImage picture, double strength, ResizeMode mode) {
        if (mask.width() != picture.width() || mask.height() != picture.height()) {
            throw new IllegalArgumentException("mask " + mask.width() + "x" + mask.height()
                    + ": expected the init image's size " + picture.width() + "x" + picture.height());
        }
        float[] grey = PixelFormats.grey(mask);
        boolean onlyMasked = onlyMaskedPadding.isPresent();
        float[] values = onlyMasked ? grey
                : mode.applyToMask(grey, picture.width(), picture.height(), base.width(), base.height());
        int maskWidth = onlyMasked ? picture.width() : base.width();
        int maskHeight = onlyMasked ? picture.height() : base.height();
        InpaintMask inpaintMask = new InpaintMask(maskWidth, maskHeight, values, blur, invert, content,
                onlyMaskedPadding);
        return base.withInit(Optional.of(new InitImage(picture, strength, mode))).withMask(Optional.of(inpaintMask));
    }
}

package dev.diffarm.engine.pipeline;

import java.util.Objects;
import java.util.OptionalInt;

/**
 * Where an inpainting run repaints the init image.
 *
 * @param width   mask width in pixels: the init image's (after fitting) or the request's
 * @param height  mask height in pixels
 * @param values  one value per pixel, row by row, in [0, 1]; 1 repaints (white in a mask file), 0 keeps
 * @param blur    A1111's "Mask blur": the Gaussian's sigma in pixels before the mask is cut at 0.5; 0 for none
 * @param invert  A1111's "Inpaint not masked": repaint where the mask is 0 instead
 * @param content what the repainted area starts from (A1111's "Masked content"); {@code ORIGINAL} is diffusers'
 * @param onlyMaskedPadding A1111's "Inpaint area: Only masked" and its "padding": the box around the mask, this
 *                many pixels larger each way and widened to the request's aspect ratio, is cut out, inpainted at the
 *                request's size and pasted back ({@link OnlyMasked}); the mask then has the init image's own size.
 *                Empty for A1111's "Whole picture": the mask has the request's size
 */
public record InpaintMask(int width, int height, float[] values, int blur, boolean invert, MaskedContent content,
                          OptionalInt onlyMaskedPadding) {
    public InpaintMask {
        Objects.requireNonNull(values, "mask");
        if (width <= 0 || height <= 0 || values.length != (long) width * height) {
            throw new IllegalArgumentException("mask: " + values.length + " values for " + width + "x" + height
                    + ": expected one per pixel");
        }
        if (blur < 0 || blur > 64) {
            throw new IllegalArgumentException("mask blur = " + blur + ": expected 0..64 pixels");
        }
        content = content == null ? MaskedContent.ORIGINAL : content;
        onlyMaskedPadding = onlyMaskedPadding == null ? OptionalInt.empty() : onlyMaskedPadding;
        if (onlyMaskedPadding.isPresent() && (onlyMaskedPadding.getAsInt() < 0 || onlyMaskedPadding.getAsInt() > 4096)) {
            throw new IllegalArgumentException("padding = " + onlyMaskedPadding.getAsInt() + ": expected 0..4096 pixels");
        }
    }

    /** A sharp mask, not inverted, on the original picture (diffusers' pipeline). */
    public static InpaintMask sharp(int width, int height, float[] values) {
        return new InpaintMask(width, height, values, 0, false, MaskedContent.ORIGINAL, OptionalInt.empty());
    }

    /** This mask at another size or with other values, its options kept. */
    InpaintMask withValues(int width, int height, float[] values) {
        return new InpaintMask(width, height, values, blur, invert, content, onlyMaskedPadding);
    }

    /** This mask inpainting the whole picture it is given. */
    InpaintMask wholePicture() {
        return new InpaintMask(width, height, values, blur, invert, content, OptionalInt.empty());
    }

    /**
     * The mask the pipeline uses: inverted if asked, blurred, then cut at 0.5 to 0 or 1 as diffusers'
     * {@code mask_processor} binarizes it (1 where the value is 0.5 or more).
     */
    float[] binary() {
        float[] v = soft();
        for (int i = 0; i < v.length; i++) {
            v[i] = v[i] >= 0.5f ? 1f : 0f;
        }
        return v;
    }

    /** The mask inverted if asked and blurred, not cut: how much of the generated picture a pixel shows when pasted. */
    float[] soft() {
        float[] v = values.clone();
        if (invert) {
            for (int i = 0; i < v.length; i++) {
                v[i] = 1 - v[i];
            }
        }
        if (blur > 0) {
            v = GaussianBlur.blur(v, width, height, blur);
        }
        return v;
    }
}

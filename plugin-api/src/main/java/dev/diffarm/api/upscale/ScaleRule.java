package dev.diffarm.api.upscale;

import dev.diffarm.api.image.Picture;
import dev.diffarm.api.image.PillowResize;

/**
 * AUTOMATIC1111's rule for reaching a size that is not the upscaler's own ({@code modules/upscaler.py
 * Upscaler.upscale} and {@code images.resize_image}): run the upscaler (up to three times) until the picture is at
 * least as large as the target, then resize it to the exact target with Pillow's Lanczos.
 */
public final class ScaleRule {
    /** A1111 runs an upscaler at most this many times for one upscale. */
    static final int MAX_RUNS = 3;

    private ScaleRule() {
    }

    /**
     * A1111's {@code Upscaler.upscale(img, scale)}, as its "Extras" tab and hires fix call it: the target is
     * {@code int(w * scale // 8 * 8)} x {@code int(h * scale // 8 * 8)} (rounded down to multiples of 8); {@code step}
     * runs while the picture is smaller than that (at least once when scale is 1), at most three times, and stops early
     * if a run leaves the size unchanged; then Lanczos to the target if the size differs.
     *
     * @param step one run of the upscaler: a network's pass, or a resampler ({@link UpscaleStep#resampling})
     * @throws IllegalArgumentException if scale is below 1, or the target is under 8 pixels on a side
     */
    public static Picture upscale(Picture picture, double scale, UpscaleStep step) {
        if (!(scale >= 1)) {
            throw new IllegalArgumentException("upscale scale = " + scale + ": expected 1 or more");
        }
        int targetW = multipleOf8(picture.width() * scale);
        int targetH = multipleOf8(picture.height() * scale);
        if (targetW == 0 || targetH == 0) {
            throw new IllegalArgumentException("upscaling " + picture.width() + "x" + picture.height() + " by " + scale
                    + " gives under 8 pixels on a side (A1111 rounds the result down to multiples of 8)");
        }
        Picture out = picture;
        for (int run = 0; run < MAX_RUNS; run++) {
            if (out.width() >= targetW && out.height() >= targetH && (run > 0 || scale != 1)) {
                break;
            }
            Picture before = out;
            out = step.run(out, scale);
            if (out.width() == before.width() && out.height() == before.height()) {
                break;
            }
        }
        return exactly(out, targetW, targetH);
    }

    /**
     * A1111's {@code images.resize_image} with an upscaler, as the hires fix enlarges its first pass: {@link #upscale}
     * by {@code max(width / w, height / h)} when that is above 1, then Lanczos to exactly {@code width} x
     * {@code height}.
     */
    public static Picture resize(Picture picture, int width, int height, UpscaleStep step) {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("upscale to " + width + "x" + height + ": sizes must be positive");
        }
        double scale = Math.max((double) width / picture.width(), (double) height / picture.height());
        Picture out = scale > 1 ? upscale(picture, scale, step) : picture;
        return exactly(out, width, height);
    }

    private static Picture exactly(Picture picture, int width, int height) {
        return picture.width() == width && picture.height() == height ? picture
                : PillowResize.lanczos(picture, width, height);
    }

    /** Python's {@code int(x // 8 * 8)} for x &gt;= 0. */
    private static int multipleOf8(double x) {
        return (int) (Math.floor(x / 8) * 8);
    }
}

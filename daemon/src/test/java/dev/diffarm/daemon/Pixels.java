package dev.diffarm.daemon;

import dev.diffarm.engine.image.RgbImage;

/** Comparisons of decoded images, for the tests that check a batched render against the render alone. */
public final class Pixels {
    private Pixels() {
    }

    /**
     * The largest difference of one channel value of one pixel of two images of one size (values 0..1: one 8-bit level
     * is 1/255).
     *
     * @throws IllegalArgumentException if the images differ in size
     */
    public static double maxAbsDifference(RgbImage a, RgbImage b) {
        if (a.chw().length != b.chw().length) {
            throw new IllegalArgumentException("images of different sizes: " + a.chw().length + " and "
                    + b.chw().length + " values");
        }
        double worst = 0;
        for (int i = 0; i < a.chw().length; i++) {
            worst = Math.max(worst, Math.abs(a.chw()[i] - b.chw()[i]));
        }
        return worst;
    }
}

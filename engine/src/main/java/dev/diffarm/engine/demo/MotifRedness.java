package dev.diffarm.engine.demo;

import dev.diffarm.engine.image.RgbImage;
import java.util.List;

/**
 * How red the motif's disc is in a set of renders: the mean of {@code red - (green + blue) / 2} over the disc's
 * pixels, minus the same over the rest of the image (so that an image that is red all over does not count). The
 * training images score about 0.8; an image without a red disc about 0.
 */
public final class MotifRedness {
    private MotifRedness() {
    }

    /** The mean score of {@code images}, each {@link MotifImages#SIDE} pixels square. */
    public static double of(List<RgbImage> images) {
        return images.stream().mapToDouble(MotifRedness::of).average().orElseThrow();
    }

    public static double of(RgbImage image) {
        if (image.width() != MotifImages.SIDE || image.height() != MotifImages.SIDE) {
            throw new IllegalArgumentException("redness: expected a " + MotifImages.SIDE + "x" + MotifImages.SIDE
                    + " image, got " + image.width() + "x" + image.height());
        }
        double inside = 0;
        double outside = 0;
        int insideCount = 0;
        for (int y = 0; y < image.height(); y++) {
            for (int x = 0; x < image.width(); x++) {
                double redness = image.get(0, y, x) - (image.get(1, y, x) + image.get(2, y, x)) / 2;
                if (MotifImages.inMotif(x, y)) {
                    inside += redness;
                    insideCount++;
                } else {
                    outside += redness;
                }
            }
        }
        int outsideCount = image.width() * image.height() - insideCount;
        return inside / insideCount - outside / outsideCount;
    }
}

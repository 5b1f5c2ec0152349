package dev.diffarm.engine.train.data;

import java.nio.file.Path;

/**
 * One folder of training images: kohya's subset.
 *
 * @param dir         the folder; its PNG, JPEG and WebP files (not its subfolders) are the images
 * @param repeats     how many times each image counts in an epoch (kohya's {@code 10_} prefix)
 * @param classImages true for class (regularisation, prior-preservation) images, false for instance images
 * @param captions    where each image's caption comes from
 */
public record ImageSet(Path dir, int repeats, boolean classImages, CaptionSource captions) {
    public ImageSet {
        if (repeats < 1) {
            throw new IllegalArgumentException("repeats of " + dir + " must be at least 1, got " + repeats);
        }
    }
}

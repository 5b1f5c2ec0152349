package dev.diffarm.engine.train.data;

/**
 * One use of one image in an epoch, with its random choices made.
 *
 * @param imageIndex the image's index in {@link Dataset#images()} (a key for cached latents, with the flip)
 * @param image      the image
 * @param assignment its bucket, resize and crop
 * @param flipped    whether this use is mirrored
 * @param caption    its caption after the transforms of this use
 */
public record PlannedExample(int imageIndex, TrainingImage image, BucketAssignment assignment, boolean flipped,
                             String caption) {
}

package dev.diffarm.engine.train.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * One example ready for the model: the image resized, cropped and (if planned) flipped to its bucket, as float32
 * [3, H, W] in [-1, 1], with its caption after the transforms.
 *
 * @param planned what was planned for this use of the image
 * @param pixels  the values, channel-planar, row by row; held, not copied
 */
public record TrainingExample(PlannedExample planned, float[] pixels) {

    public TrainingExample {
        Size bucket = planned.assignment().bucket();
        if (pixels.length != 3L * bucket.area()) {
            throw new IllegalArgumentException("a " + bucket + " example needs " + 3L * bucket.area()
                    + " values, got " + pixels.length);
        }
    }

    /** The caption to encode. */
    public String caption() {
        return planned.caption();
    }

    /** Whether this is a class (prior-preservation) image, whose loss the trainer weights by its prior weight. */
    public boolean classImage() {
        return planned.image().classImage();
    }

    /** The training size. */
    public Size size() {
        return planned.assignment().bucket();
    }

    /**
     * SDXL's crop conditioning as kohya computes it: the left and top of {@link BucketAssignment#crop()} (for a
     * flipped example the left is bucket width - right), truncated to whole pixels.
     */
    public int[] cropTopLeft() {
        CropBox crop = planned.assignment().crop();
        double left = planned.flipped() ? size().width() - crop.right() : crop.left();
        return new int[] {(int) crop.top(), (int) left};
    }

    /** The pixels as a float32 [3, H, W] array of {@code manager}. */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(pixels, new Shape(3, size().height(), size().width()));
    }
}

package dev.diffarm.engine.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * An RGB image as diffusers hands it over: float32 values in [0, 1], channel-planar [3, H, W]
 * (the layout of {@code output_type="pt"}), on the Java heap.
 *
 * @param width  pixels per row
 * @param height rows
 * @param chw    the values, red plane then green then blue, each row by row; held, not copied
 */
public record RgbImage(int width, int height, float[] chw) {

    public RgbImage {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (chw.length != 3L * width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + 3L * width * height
                    + " values, got " + chw.length);
        }
    }

    /** Copies a float32 array of shape [3, H, W] or [1, 3, H, W] (a batch of one) to the heap. */
    public static RgbImage of(NDArray image) {
        Shape shape = image.getShape();
        boolean chw = shape.dimension() == 3 && shape.get(0) == 3;
        boolean nchw = shape.dimension() == 4 && shape.get(0) == 1 && shape.get(1) == 3;
        if (!chw && !nchw) {
            throw new IllegalArgumentException("an RGB image is [3, H, W] or [1, 3, H, W], got " + shape);
        }
        if (image.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("an RGB image is float32, got " + image.getDataType());
        }
        int dims = shape.dimension();
        return new RgbImage(Math.toIntExact(shape.get(dims - 1)), Math.toIntExact(shape.get(dims - 2)),
                image.toFloatArray());
    }

    /** The image as a float32 [3, H, W] array owned by {@code manager}. */
    public NDArray toNDArray(NDManager manager) {
        return manager.create(chw, new Shape(3, height, width));
    }

    /** The value of {@code channel} (0 red, 1 green, 2 blue) at column {@code x} of row {@code y}. */
    public float get(int channel, int y, int x) {
        return chw[(channel * height + y) * width + x];
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof RgbImage i && i.width == width && i.height == height && Arrays.equals(i.chw, chw);
    }

    @Override
    public int hashCode() {
        return (width * 31 + height) * 31 + Arrays.hashCode(chw);
    }

    @Override
    public String toString() {
        return "RgbImage[" + width + "x" + height + "]";
    }
}

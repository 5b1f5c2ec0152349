package dev.diffarm.api.image;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * An RGB picture handed between the engine and plugins (upscalers, control preprocessors): float32 values, nominally
 * in [0, 1], channel-planar [3, H, W] as diffusers hands images over, on the Java heap. A network's raw output may
 * stray outside [0, 1]; {@link #clamped} is what users keep.
 *
 * <p>8-bit pictures ({@link #fromRgb8}) hold {@code v / 255}; {@link #toRgb8} gives those bytes back exactly.
 *
 * @param width  pixels per row
 * @param height rows
 * @param chw    the values, red plane then green then blue, each row by row; held, not copied
 */
public record Picture(int width, int height, float[] chw) {

    public Picture {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("picture size must be positive, got " + width + "x" + height);
        }
        if (chw.length != 3L * width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB picture needs " + 3L * width * height
                    + " values, got " + chw.length);
        }
    }

    /** A picture from interleaved 8-bit RGB ({@code r, g, b} per pixel, rows top to bottom), as PNG decoders give. */
    public static Picture fromRgb8(int width, int height, byte[] rgb) {
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB picture needs " + 3L * width * height
                    + " bytes, got " + rgb.length);
        }
        int plane = width * height;
        float[] chw = new float[3 * plane];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                chw[c * plane + p] = (rgb[3 * p + c] & 0xff) / 255f;
            }
        }
        return new Picture(width, height, chw);
    }

    /** Interleaved 8-bit RGB, each value clamped to [0, 1] and rounded to the nearest of the 256 levels. */
    public byte[] toRgb8() {
        int plane = width * height;
        byte[] rgb = new byte[3 * plane];
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float v = Math.min(1f, Math.max(0f, chw[c * plane + p]));
                rgb[3 * p + c] = (byte) Math.round(v * 255f);
            }
        }
        return rgb;
    }

    /** Copies a float32 array of shape [3, H, W] or [1, 3, H, W] (a batch of one) to the heap. */
    public static Picture of(NDArray image) {
        Shape shape = image.getShape();
        boolean chw = shape.dimension() == 3 && shape.get(0) == 3;
        boolean nchw = shape.dimension() == 4 && shape.get(0) == 1 && shape.get(1) == 3;
        if (!chw && !nchw) {
            throw new IllegalArgumentException("an RGB picture is [3, H, W] or [1, 3, H, W], got " + shape);
        }
        if (image.getDataType() != DataType.FLOAT32) {
            throw new IllegalArgumentException("an RGB picture is float32, got " + image.getDataType());
        }
        int dims = shape.dimension();
        return new Picture(Math.toIntExact(shape.get(dims - 1)), Math.toIntExact(shape.get(dims - 2)),
                image.toFloatArray());
    }

    /** The picture as a float32 [1, 3, H, W] array owned by {@code manager}: a batch of one, as networks take it. */
    public NDArray toBatch(NDManager manager) {
        return manager.create(chw, new Shape(1, 3, height, width));
    }

    /** The value of {@code channel} (0 red, 1 green, 2 blue) at column {@code x} of row {@code y}. */
    public float get(int channel, int y, int x) {
        return chw[(channel * height + y) * width + x];
    }

    /** This picture with every value clamped to [0, 1]. */
    public Picture clamped() {
        float[] values = chw.clone();
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.min(1f, Math.max(0f, values[i]));
        }
        return new Picture(width, height, values);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Picture p && p.width == width && p.height == height && Arrays.equals(p.chw, chw);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * width + height) + Arrays.hashCode(chw);
    }

    @Override
    public String toString() {
        return "Picture[" + width + "x" + height + "]";
    }
}

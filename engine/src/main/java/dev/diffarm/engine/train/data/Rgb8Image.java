package dev.diffarm.engine.train.data;

import java.util.Arrays;

/**
 * An 8-bit RGB image as kohya holds one between decoding and the tensor transform: a numpy {@code uint8} array of
 * shape [H, W, 3], row by row, the three samples of each pixel together.
 *
 * @param width  pixels per row
 * @param height rows
 * @param rgb    3 * width * height samples; held, not copied
 */
public record Rgb8Image(int width, int height, byte[] rgb) {

    public Rgb8Image {
        if (width <= 0 || height <= 0) {
            throw new IllegalArgumentException("image size must be positive, got " + width + "x" + height);
        }
        if (rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + 3L * width * height
                    + " samples, got " + rgb.length);
        }
    }

    /** The size of the image. */
    public Size size() {
        return new Size(width, height);
    }

    /** The sample of {@code channel} (0 red, 1 green, 2 blue) at column {@code x} of row {@code y}, 0..255. */
    public int get(int x, int y, int channel) {
        return rgb[(y * width + x) * 3 + channel] & 0xff;
    }

    /** The {@code size} window whose top-left corner is ({@code left}, {@code top}): numpy's slicing. */
    public Rgb8Image crop(int left, int top, Size size) {
        if (left < 0 || top < 0 || left + size.width() > width || top + size.height() > height) {
            throw new IllegalArgumentException("crop " + size + " at (" + left + ", " + top + ") leaves the "
                    + width + "x" + height + " image");
        }
        byte[] out = new byte[3 * size.width() * size.height()];
        for (int y = 0; y < size.height(); y++) {
            System.arraycopy(rgb, ((top + y) * width + left) * 3, out, y * size.width() * 3, size.width() * 3);
        }
        return new Rgb8Image(size.width(), size.height(), out);
    }

    /** The mirror image, left to right: kohya's {@code img[:, ::-1, :]}. */
    public Rgb8Image flipHorizontally() {
        byte[] out = new byte[rgb.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                System.arraycopy(rgb, (y * width + x) * 3, out, (y * width + width - 1 - x) * 3, 3);
            }
        }
        return new Rgb8Image(width, height, out);
    }

    /**
     * The image as the model's input: float32 [3, H, W] in [-1, 1], each sample v giving (v / 255 - 0.5) / 0.5 in
     * float32, exactly as torchvision's {@code ToTensor} then {@code Normalize([0.5], [0.5])} (kohya's
     * {@code IMAGE_TRANSFORMS}, diffusers' training scripts) compute it.
     */
    public float[] toModelInput() {
        int plane = width * height;
        float[] chw = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                float unit = (rgb[i * 3 + c] & 0xff) / 255f;
                chw[c * plane + i] = (unit - 0.5f) / 0.5f;
            }
        }
        return chw;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Rgb8Image i && i.width == width && i.height == height
                && Arrays.equals(i.rgb, rgb);
    }

    @Override
    public int hashCode() {
        return (width * 31 + height) * 31 + Arrays.hashCode(rgb);
    }

    @Override
    public String toString() {
        return "Rgb8Image[" + width + "x" + height + "]";
    }
}

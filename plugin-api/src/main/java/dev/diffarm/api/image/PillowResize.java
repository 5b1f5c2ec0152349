package dev.diffarm.api.image;

/**
 * Pillow's {@code Image.resize} on 8-bit RGB, with the two filters AUTOMATIC1111's upscalers use:
 * {@code Image.LANCZOS} (its "Lanczos" upscaler, and the last step of every other one) and {@code Image.NEAREST}
 * (its "Nearest"). Sample for sample what Pillow computes, so an 8-bit picture resized here equals A1111's.
 *
 * <p><b>Lanczos</b> (libImaging/Resample.c): a separable convolution, horizontal pass first into an 8-bit image, then
 * vertical. For output index i the source centre is (i + 0.5) * scale with scale = in / out; the kernel is
 * sinc(x) sinc(x / 3) on |x| &lt; 3, stretched by max(scale, 1); the taps run from int(centre - support + 0.5) to
 * int(centre + support + 0.5) clipped to the image, their weights normalised to sum 1 and then rounded to 22-bit
 * fixed point; each output is (1 &lt;&lt; 21 + sum of sample * weight) &gt;&gt; 22, clipped to 0..255. A pass whose
 * size does not change is skipped.
 *
 * <p><b>Nearest</b> (libImaging/Geometry.c, {@code ImagingScaleAffine}): output column x reads source column
 * {@code int(xo)}, where {@code xo} starts at {@code 0.5 * in / out} and grows by {@code in / out} per column, summed
 * in double precision as Pillow sums it (rows likewise).
 */
public final class PillowResize {
    private static final double SUPPORT = 3.0;
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private PillowResize() {
    }

    /**
     * Pillow's Lanczos resize of interleaved 8-bit RGB ({@code r, g, b} per pixel, rows top to bottom).
     *
     * @return {@code 3 * outWidth * outHeight} samples
     */
    public static byte[] lanczos(int width, int height, byte[] rgb, int outWidth, int outHeight) {
        checkSizes(width, height, rgb, outWidth, outHeight);
        byte[] out = rgb;
        if (outWidth != width) {
            out = horizontal(out, width, height, Taps.of(width, outWidth));
        }
        if (outHeight != height) {
            out = vertical(out, outWidth, Taps.of(height, outHeight));
        }
        return out == rgb ? rgb.clone() : out;
    }

    /** Pillow's Lanczos resize of a picture, through 8 bits as Pillow holds an RGB image ({@link Picture#toRgb8}). */
    public static Picture lanczos(Picture picture, int outWidth, int outHeight) {
        return Picture.fromRgb8(outWidth, outHeight,
                lanczos(picture.width(), picture.height(), picture.toRgb8(), outWidth, outHeight));
    }

    /**
     * Pillow's nearest-neighbour resize of a picture. Each output value is one of the input's, so the values are kept
     * as they are (no 8-bit rounding).
     */
    public static Picture nearest(Picture picture, int outWidth, int outHeight) {
        int width = picture.width();
        int height = picture.height();
        checkSizes(width, height, null, outWidth, outHeight);
        int[] columns = nearestSources(width, outWidth);
        int[] rows = nearestSources(height, outHeight);
        float[] in = picture.chw();
        float[] out = new float[3 * outWidth * outHeight];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < outHeight; y++) {
                int from = (c * height + rows[y]) * width;
                int to = (c * outHeight + y) * outWidth;
                for (int x = 0; x < outWidth; x++) {
                    out[to + x] = in[from + columns[x]];
                }
            }
        }
        return new Picture(outWidth, outHeight, out);
    }

    private static int[] nearestSources(int in, int out) {
        double step = (double) in / out;
        int[] sources = new int[out];
        double at = 0.5 * step;
        for (int i = 0; i < out; i++) {
            sources[i] = Math.min((int) at, in - 1);
            at += step;
        }
        return sources;
    }

    private static void checkSizes(int width, int height, byte[] rgb, int outWidth, int outHeight) {
        if (width <= 0 || height <= 0 || outWidth <= 0 || outHeight <= 0) {
            throw new IllegalArgumentException("resize " + width + "x" + height + " to " + outWidth + "x" + outHeight
                    + ": sizes must be positive");
        }
        if (rgb != null && rgb.length != 3L * width * height) {
            throw new IllegalArgumentException("a " + width + "x" + height + " RGB image needs " + 3L * width * height
                    + " samples, got " + rgb.length);
        }
    }

    private static byte[] horizontal(byte[] in, int width, int height, Taps taps) {
        int outWidth = taps.first.length;
        byte[] out = new byte[3 * outWidth * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < outWidth; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < taps.count[x]; k++) {
                        sum += (in[(y * width + taps.first[x] + k) * 3 + c] & 0xff) * taps.weights[x][k];
                    }
                    out[(y * outWidth + x) * 3 + c] = clip8(sum);
                }
            }
        }
        return out;
    }

    private static byte[] vertical(byte[] in, int width, Taps taps) {
        int outHeight = taps.first.length;
        byte[] out = new byte[3 * width * outHeight];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < width; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < taps.count[y]; k++) {
                        sum += (in[((taps.first[y] + k) * width + x) * 3 + c] & 0xff) * taps.weights[y][k];
                    }
                    out[(y * width + x) * 3 + c] = clip8(sum);
                }
            }
        }
        return out;
    }

    private static byte clip8(int sum) {
        if (sum >= (1 << PRECISION_BITS << 8)) {
            return (byte) 255;
        }
        if (sum <= 0) {
            return 0;
        }
        return (byte) (sum >> PRECISION_BITS);
    }

    private static double lanczos(double x) {
        return -SUPPORT <= x && x < SUPPORT ? sinc(x) * sinc(x / SUPPORT) : 0.0;
    }

    private static double sinc(double x) {
        if (x == 0.0) {
            return 1.0;
        }
        double px = x * Math.PI;
        return Math.sin(px) / px;
    }

    /** For each output index: the first source index, the number of taps and their fixed-point weights. */
    private record Taps(int[] first, int[] count, int[][] weights) {
        static Taps of(int inSize, int outSize) {
            double scale = (double) inSize / outSize;
            double filterScale = Math.max(scale, 1.0);
            double support = SUPPORT * filterScale;
            double inverseFilterScale = 1.0 / filterScale;
            int[] first = new int[outSize];
            int[] count = new int[outSize];
            int[][] weights = new int[outSize][];
            for (int i = 0; i < outSize; i++) {
                double center = (i + 0.5) * scale;
                int min = Math.max((int) (center - support + 0.5), 0);
                int max = Math.min((int) (center + support + 0.5), inSize) - min;
                double[] w = new double[max];
                double total = 0;
                for (int k = 0; k < max; k++) {
                    w[k] = lanczos((k + min - center + 0.5) * inverseFilterScale);
                    total += w[k];
                }
                weights[i] = new int[max];
                for (int k = 0; k < max; k++) {
                    double normalised = total != 0.0 ? w[k] / total : w[k];
                    double fixed = normalised * (1 << PRECISION_BITS);
                    weights[i][k] = (int) (normalised < 0 ? fixed - 0.5 : fixed + 0.5);
                }
                first[i] = min;
                count[i] = max;
            }
            return new Taps(first, count, weights);
        }
    }
}

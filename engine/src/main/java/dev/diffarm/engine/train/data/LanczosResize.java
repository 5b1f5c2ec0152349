package dev.diffarm.engine.train.data;

/**
 * Pillow's {@code Image.resize(size, Image.LANCZOS)} on an 8-bit RGB image, as kohya enlarges training images.
 *
 * <p>Pillow's algorithm (libImaging/Resample.c): a separable convolution, horizontal pass first into an 8-bit
 * image, then vertical. For output index i the source centre is (i + 0.5) * scale with scale = in / out; the kernel
 * is sinc(x) sinc(x / 3) on |x| &lt; 3, stretched by max(scale, 1); the taps run from int(centre - support + 0.5)
 * to int(centre + support + 0.5) clipped to the image, their weights normalised to sum 1 and then rounded to
 * 22-bit fixed point; each output is (1 &lt;&lt; 21 + sum of sample * weight) &gt;&gt; 22, clipped to 0..255.
 * Equal, sample for sample, to Pillow 9.4 on the cases of {@code ResizeReferenceTest}.
 */
public final class LanczosResize {
    private static final double SUPPORT = 3.0;
    private static final int PRECISION_BITS = 32 - 8 - 2;

    private LanczosResize() {
    }

    public static Rgb8Image resize(Rgb8Image image, Size to) {
        Rgb8Image out = image;
        if (to.width() != image.width()) {
            out = horizontal(out, Taps.of(image.width(), to.width()));
        }
        if (to.height() != image.height()) {
            out = vertical(out, Taps.of(image.height(), to.height()));
        }
        return out;
    }

    private static Rgb8Image horizontal(Rgb8Image in, Taps taps) {
        int outWidth = taps.first.length;
        byte[] out = new byte[3 * outWidth * in.height()];
        for (int y = 0; y < in.height(); y++) {
            for (int x = 0; x < outWidth; x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < taps.count[x]; k++) {
                        sum += in.get(taps.first[x] + k, y, c) * taps.weights[x][k];
                    }
                    out[(y * outWidth + x) * 3 + c] = clip8(sum);
                }
            }
        }
        return new Rgb8Image(outWidth, in.height(), out);
    }

    private static Rgb8Image vertical(Rgb8Image in, Taps taps) {
        int outHeight = taps.first.length;
        byte[] out = new byte[3 * in.width() * outHeight];
        for (int y = 0; y < outHeight; y++) {
            for (int x = 0; x < in.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 1 << (PRECISION_BITS - 1);
                    for (int k = 0; k < taps.count[y]; k++) {
                        sum += in.get(x, taps.first[y] + k, c) * taps.weights[y][k];
                    }
                    out[(y * in.width() + x) * 3 + c] = clip8(sum);
                }
            }
        }
        return new Rgb8Image(in.width(), outHeight, out);
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

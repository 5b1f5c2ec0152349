package dev.diffarm.engine.pipeline;

/**
 * A separable Gaussian blur of one plane, as A1111 blurs inpainting masks ({@code cv2.GaussianBlur} with a kernel of
 * {@code 2 * int(2.5 * sigma + 0.5) + 1} taps, borders reflected without repeating the edge).
 */
final class GaussianBlur {
    private GaussianBlur() {
    }

    static float[] blur(float[] plane, int width, int height, double sigma) {
        double[] kernel = kernel(sigma);
        float[] rows = new float[plane.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                rows[y * width + x] = tap(plane, kernel, x, width, 1, y * width);
            }
        }
        float[] out = new float[plane.length];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                out[y * width + x] = tap(rows, kernel, y, height, width, x);
            }
        }
        return out;
    }

    private static float tap(float[] in, double[] kernel, int at, int count, int stride, int offset) {
        int radius = kernel.length / 2;
        double sum = 0;
        for (int k = -radius; k <= radius; k++) {
            sum += kernel[k + radius] * in[offset + reflect(at + k, count) * stride];
        }
        return (float) sum;
    }

    /** OpenCV's BORDER_REFLECT_101: {@code -1 -> 1}, {@code n -> n - 2}. */
    private static int reflect(int i, int n) {
        if (n == 1) {
            return 0;
        }
        while (i < 0 || i >= n) {
            i = i < 0 ? -i : 2 * (n - 1) - i;
        }
        return i;
    }

    private static double[] kernel(double sigma) {
        int radius = (int) (2.5 * sigma + 0.5);
        double[] k = new double[2 * radius + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++) {
            k[i + radius] = Math.exp(-(i * i) / (2 * sigma * sigma));
            sum += k[i + radius];
        }
        for (int i = 0; i < k.length; i++) {
            k[i] /= sum;
        }
        return k;
    }
}

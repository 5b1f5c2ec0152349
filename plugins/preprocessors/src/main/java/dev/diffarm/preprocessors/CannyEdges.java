package dev.diffarm.preprocessors;

/**
 * OpenCV's {@code cv2.Canny(image, low, high)} on an 8-bit RGB image with its defaults (aperture 3, L1 gradient),
 * pixel for pixel, as sd-webui-controlnet's {@code apply_canny} runs it on the 3-channel picture:
 * <ol>
 *   <li>3x3 Sobel {@code dx}, {@code dy} of each channel, the border replicated; magnitude {@code |dx| + |dy|}; each
 *       pixel keeps the gradient of the channel with the largest magnitude (the first on ties);</li>
 *   <li>non-maximum suppression along the gradient's direction, sorted into horizontal, vertical or one of the two
 *       diagonals by OpenCV's integer test against tan 22.5° in 15-bit fixed point; magnitudes outside the image
 *       count 0. A pixel is a candidate if its magnitude is above the low threshold, above its first neighbour (left,
 *       up, or the diagonal's upper one) and at least its second (above both on a diagonal), so that a ridge two
 *       pixels wide keeps one;</li>
 *   <li>hysteresis: a candidate above the high threshold is an edge, and so is every candidate 8-connected to one.</li>
 * </ol>
 * Thresholds are floored to integers as OpenCV does.
 */
final class CannyEdges {
    private static final int CHANNELS = 3;
    /** OpenCV's fixed point for the direction test: {@code tan(22.5°) · 2^15}, and its shift. */
    private static final int TG22 = 13573;
    private static final int SHIFT = 15;

    private static final byte NONE = 0;
    private static final byte WEAK = 1;
    private static final byte EDGE = 2;

    private CannyEdges() {
    }

    /**
     * The edge map of {@code rgb}.
     *
     * @param rgb  interleaved 8-bit RGB, rows top to bottom
     * @param low  the hysteresis' low threshold, at most {@code high}
     * @param high the high threshold
     * @return per pixel, row by row, whether it is an edge
     */
    static boolean[] detect(int width, int height, byte[] rgb, double low, double high) {
        Gradients gradients = Gradients.ofStrongestChannel(width, height, rgb);
        byte[] marks = suppressNonMaxima(gradients, (int) Math.floor(low), (int) Math.floor(high));
        followEdges(marks, width, height);
        boolean[] edges = new boolean[marks.length];
        for (int i = 0; i < marks.length; i++) {
            edges[i] = marks[i] == EDGE;
        }
        return edges;
    }

    /**
     * The gradient of each pixel in the channel where it is largest.
     *
     * @param dx        per pixel, row by row
     * @param dy        per pixel, row by row (the row below minus the row above)
     * @param magnitude {@code |dx| + |dy|} in a frame of zeros one pixel wide, {@code (width + 2) · (height + 2)}
     */
    private record Gradients(int width, int height, int[] dx, int[] dy, int[] magnitude) {

        static Gradients ofStrongestChannel(int width, int height, byte[] rgb) {
            int stride = width + 2;
            int[] dx = new int[width * height];
            int[] dy = new int[width * height];
            int[] magnitude = new int[stride * (height + 2)];
            for (int y = 0; y < height; y++) {
                int up = Math.max(y - 1, 0) * width;
                int row = y * width;
                int down = Math.min(y + 1, height - 1) * width;
                for (int x = 0; x < width; x++) {
                    int left = Math.max(x - 1, 0);
                    int right = Math.min(x + 1, width - 1);
                    int best = -1;
                    for (int c = 0; c < CHANNELS; c++) {
                        int gx = value(rgb, up + right, c) - value(rgb, up + left, c)
                                + 2 * (value(rgb, row + right, c) - value(rgb, row + left, c))
                                + value(rgb, down + right, c) - value(rgb, down + left, c);
                        int gy = value(rgb, down + left, c) + 2 * value(rgb, down + x, c) + value(rgb, down + right, c)
                                - value(rgb, up + left, c) - 2 * value(rgb, up + x, c) - value(rgb, up + right, c);
                        int m = Math.abs(gx) + Math.abs(gy);
                        if (m > best) {
                            best = m;
                            dx[row + x] = gx;
                            dy[row + x] = gy;
                        }
                    }
                    magnitude[(y + 1) * stride + x + 1] = best;
                }
            }
            return new Gradients(width, height, dx, dy, magnitude);
        }

        private static int value(byte[] rgb, int pixel, int channel) {
            return rgb[CHANNELS * pixel + channel] & 0xff;
        }
    }

    /** Marks each pixel {@link #NONE}, {@link #WEAK} (a candidate) or {@link #EDGE} (a candidate above {@code high}). */
    private static byte[] suppressNonMaxima(Gradients g, int low, int high) {
        int stride = g.width() + 2;
        int[] mag = g.magnitude();
        byte[] marks = new byte[g.width() * g.height()];
        for (int y = 0; y < g.height(); y++) {
            for (int x = 0; x < g.width(); x++) {
                int pixel = y * g.width() + x;
                int at = (y + 1) * stride + x + 1;
                int m = mag[at];
                if (m <= low) {
                    continue;
                }
                int gx = g.dx()[pixel];
                int gy = g.dy()[pixel];
                int tg22x = Math.abs(gx) * TG22;
                int yShifted = Math.abs(gy) << SHIFT;
                boolean candidate;
                if (yShifted < tg22x) {
                    candidate = m > mag[at - 1] && m >= mag[at + 1];
                } else if (yShifted > tg22x + (Math.abs(gx) << (SHIFT + 1))) {
                    candidate = m > mag[at - stride] && m >= mag[at + stride];
                } else {
                    int s = (gx ^ gy) < 0 ? -1 : 1;
                    candidate = m > mag[at - stride - s] && m > mag[at + stride + s];
                }
                if (candidate) {
                    marks[pixel] = m > high ? EDGE : WEAK;
                }
            }
        }
        return marks;
    }

    /** Turns every {@link #WEAK} pixel 8-connected to an {@link #EDGE} into an edge. */
    private static void followEdges(byte[] marks, int width, int height) {
        int[] stack = new int[marks.length];
        int size = 0;
        for (int i = 0; i < marks.length; i++) {
            if (marks[i] == EDGE) {
                stack[size++] = i;
            }
        }
        while (size > 0) {
            int pixel = stack[--size];
            int y = pixel / width;
            int x = pixel % width;
            for (int ny = Math.max(y - 1, 0); ny <= Math.min(y + 1, height - 1); ny++) {
                for (int nx = Math.max(x - 1, 0); nx <= Math.min(x + 1, width - 1); nx++) {
                    int neighbour = ny * width + nx;
                    if (marks[neighbour] == WEAK) {
                        marks[neighbour] = EDGE;
                        stack[size++] = neighbour;
                    }
                }
            }
        }
    }
}

package dev.diffarm.engine.train.data;

/**
 * OpenCV's {@code cv2.resize(image, size, interpolation=cv2.INTER_CUBIC)} of an 8-bit RGB image, as
 * sd-webui-controlnet enlarges a control picture to its preprocessor resolution.
 *
 * <p>As OpenCV's {@code resize.cpp} does it for 8-bit samples: each target coordinate maps to
 * {@code (d + 0.5) * in / out - 0.5} (in float32); its four neighbours from one before the floor get Keys' cubic
 * weights with {@code A = -0.75}, computed in float32 and scaled to 11-bit fixed point
 * ({@code saturate_cast<short>(w * 2048)}); a neighbour outside the picture is its nearest edge pixel. Rows are
 * weighted first in integers, then columns, and the sum shifted back by 22 bits with rounding
 * ({@code (v + 2^21) >> 22}) and clipped to 0..255, except that the vertical pass takes each row's samples in blocks
 * of 8 in float32 ({@code s0 * b0 + (s1 * b1 + (s2 * b2 + s3 * b3))}, weights divided by 2^22, rounded half to even),
 * as OpenCV 4.6's baseline (SSE2) vector code does; only the samples after the last whole block take the fixed-point
 * rounding. Equal, sample for sample, to Debian's OpenCV 4.6 on the cases of {@code ProcessorResolutionTest}.
 */
public final class CubicResize {
    private static final float A = -0.75f;
    private static final int COEF_BITS = 11;
    private static final int COEF_SCALE = 1 << COEF_BITS;
    private static final int TAPS = 4;
    /** int16 lanes of OpenCV's 128-bit baseline vectors: the block its vertical pass takes in float32. */
    private static final int VECTOR_LANES = 8;

    private CubicResize() {
    }

    /** {@code image} resized to {@code to}. */
    public static Rgb8Image resize(Rgb8Image image, Size to) {
        Taps columns = Taps.of(image.width(), to.width());
        Taps rows = Taps.of(image.height(), to.height());
        int inWidth = image.width();
        byte[] in = image.rgb();
        // each source row weighted along x once, as OpenCV's horizontal pass buffers it
        int[][] horizontal = new int[image.height()][];
        for (int sy = 0; sy < image.height(); sy++) {
            int[] row = new int[3 * to.width()];
            for (int dx = 0; dx < to.width(); dx++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int k = 0; k < TAPS; k++) {
                        int sx = columns.source[dx * TAPS + k];
                        sum += (in[(sy * inWidth + sx) * 3 + c] & 0xff) * columns.weight[dx * TAPS + k];
                    }
                    row[dx * 3 + c] = sum;
                }
            }
            horizontal[sy] = row;
        }
        int rowLength = 3 * to.width();
        // OpenCV's vector loop takes the samples of a row in blocks of 8 in float32, the rest in fixed point
        int vectorEnd = rowLength / VECTOR_LANES * VECTOR_LANES;
        byte[] out = new byte[rowLength * to.height()];
        int half = 1 << (2 * COEF_BITS - 1);
        float unscale = 1f / (COEF_SCALE * COEF_SCALE);
        for (int dy = 0; dy < to.height(); dy++) {
            int[] s0 = horizontal[rows.source[dy * TAPS]];
            int[] s1 = horizontal[rows.source[dy * TAPS + 1]];
            int[] s2 = horizontal[rows.source[dy * TAPS + 2]];
            int[] s3 = horizontal[rows.source[dy * TAPS + 3]];
            float b0 = rows.weight[dy * TAPS] * unscale;
            float b1 = rows.weight[dy * TAPS + 1] * unscale;
            float b2 = rows.weight[dy * TAPS + 2] * unscale;
            float b3 = rows.weight[dy * TAPS + 3] * unscale;
            for (int i = 0; i < rowLength; i++) {
                long value;
                if (i < vectorEnd) {
                    float inner = (float) s2[i] * b2 + (float) s3[i] * b3;
                    float middle = (float) s1[i] * b1 + inner;
                    value = (long) Math.rint((float) s0[i] * b0 + middle);
                } else {
                    long sum = (long) s0[i] * rows.weight[dy * TAPS] + (long) s1[i] * rows.weight[dy * TAPS + 1]
                            + (long) s2[i] * rows.weight[dy * TAPS + 2] + (long) s3[i] * rows.weight[dy * TAPS + 3];
                    value = (sum + half) >> (2 * COEF_BITS);
                }
                out[dy * rowLength + i] = (byte) Math.max(0, Math.min(255, value));
            }
        }
        return new Rgb8Image(to.width(), to.height(), out);
    }

    /** For each target index, its four source indexes (edge-clamped) and their fixed-point weights. */
    private record Taps(int[] source, int[] weight) {
        static Taps of(int inSize, int outSize) {
            int[] source = new int[TAPS * outSize];
            int[] weight = new int[TAPS * outSize];
            double scale = 1.0 / ((double) outSize / inSize);
            float[] w = new float[TAPS];
            for (int d = 0; d < outSize; d++) {
                float f = (float) ((d + 0.5) * scale - 0.5);
                int s = (int) Math.floor(f);
                f -= s;
                cubicWeights(f, w);
                for (int k = 0; k < TAPS; k++) {
                    source[d * TAPS + k] = Math.max(0, Math.min(inSize - 1, s - 1 + k));
                    weight[d * TAPS + k] = saturateShort((int) Math.rint(w[k] * COEF_SCALE));
                }
            }
            return new Taps(source, weight);
        }

        /** OpenCV's {@code interpolateCubic}: Keys' kernel at distances {@code 1 + x}, {@code x}, {@code 1 - x}, {@code 2 - x}. */
        private static void cubicWeights(float x, float[] w) {
            w[0] = ((A * (x + 1) - 5 * A) * (x + 1) + 8 * A) * (x + 1) - 4 * A;
            w[1] = ((A + 2) * x - (A + 3)) * x * x + 1;
            w[2] = ((A + 2) * (1 - x) - (A + 3)) * (1 - x) * (1 - x) + 1;
            w[3] = 1f - w[0] - w[1] - w[2];
        }

        private static int saturateShort(int v) {
            return Math.max(Short.MIN_VALUE, Math.min(Short.MAX_VALUE, v));
        }
    }
}

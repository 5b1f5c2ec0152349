package dev.diffarm.engine.train.data;

import java.util.Arrays;

/**
 * OpenCV's {@code cv2.resize(image, size, interpolation=cv2.INTER_AREA)} for shrinking an 8-bit RGB image (both
 * scales &ge; 1), as kohya shrinks training images.
 *
 * <p>As OpenCV's {@code resize.cpp} does it: with scale = 1 / (out / in) per axis, if both scales are whole numbers
 * each output is the mean of its scale x scale block (for 2 x 2: (sum + 2) &gt;&gt; 2; otherwise sum * (1 / area) in
 * float32, rounded half to even); else each output is the area-weighted mean of the source pixels its cell covers,
 * with OpenCV's float32 weights (a partial edge pixel counts when it covers more than 1e-3), accumulated row by row
 * in float32 and rounded half to even. Equal, sample for sample, to OpenCV 4.6 on the cases of
 * {@code ResizeReferenceTest}.
 */
public final class AreaResize {
    private AreaResize() {
    }

    /** {@code image} shrunk to {@code to}, neither side larger than the image's. */
    public static Rgb8Image resize(Rgb8Image image, Size to) {
        double scaleX = 1.0 / ((double) to.width() / image.width());
        double scaleY = 1.0 / ((double) to.height() / image.height());
        if (scaleX < 1 || scaleY < 1) {
            throw new IllegalArgumentException("area resize only shrinks: " + image.size() + " to " + to);
        }
        int wholeX = (int) Math.round(scaleX);
        int wholeY = (int) Math.round(scaleY);
        if (Math.abs(scaleX - wholeX) < Math.ulp(1.0) && Math.abs(scaleY - wholeY) < Math.ulp(1.0)) {
            return blockMean(image, to, wholeX, wholeY);
        }
        return coverageMean(image, to, Cells.of(image.width(), to.width(), scaleX),
                Cells.of(image.height(), to.height(), scaleY));
    }

    private static Rgb8Image blockMean(Rgb8Image in, Size to, int sx, int sy) {
        byte[] out = new byte[3 * to.width() * to.height()];
        float inverseArea = 1f / (sx * sy);
        for (int y = 0; y < to.height(); y++) {
            for (int x = 0; x < to.width(); x++) {
                for (int c = 0; c < 3; c++) {
                    int sum = 0;
                    for (int j = 0; j < sy; j++) {
                        for (int i = 0; i < sx; i++) {
                            sum += in.get(x * sx + i, y * sy + j, c);
                        }
                    }
                    int value = sx == 2 && sy == 2 ? (sum + 2) >> 2 : roundHalfEven(sum * inverseArea);
                    out[(y * to.width() + x) * 3 + c] = (byte) value;
                }
            }
        }
        return new Rgb8Image(to.width(), to.height(), out);
    }

    private static Rgb8Image coverageMean(Rgb8Image in, Size to, Cells columns, Cells rows) {
        int outWidth = to.width();
        byte[] out = new byte[3 * outWidth * to.height()];
        float[] rowSums = new float[3 * outWidth];
        float[] sums = new float[3 * outWidth];
        for (int y = 0; y < to.height(); y++) {
            Arrays.fill(sums, 0f);
            for (int r = rows.start[y]; r < rows.start[y + 1]; r++) {
                Arrays.fill(rowSums, 0f);
                int sy = rows.source[r];
                for (int k = 0; k < columns.source.length; k++) {
                    int dx = columns.target[k];
                    int sx = columns.source[k];
                    float alpha = columns.alpha[k];
                    for (int c = 0; c < 3; c++) {
                        rowSums[dx * 3 + c] += in.get(sx, sy, c) * alpha;
                    }
                }
                float beta = rows.alpha[r];
                for (int i = 0; i < sums.length; i++) {
                    sums[i] += beta * rowSums[i];
                }
            }
            for (int i = 0; i < sums.length; i++) {
                out[y * outWidth * 3 + i] = (byte) Math.max(0, Math.min(255, roundHalfEven(sums[i])));
            }
        }
        return new Rgb8Image(outWidth, to.height(), out);
    }

    private static int roundHalfEven(float x) {
        return (int) Math.rint(x);
    }

    /**
     * OpenCV's {@code computeResizeAreaTab} along one axis: entries (target, source, alpha) in target order;
     * {@code start[t]} .. {@code start[t + 1]} are the entries of target t.
     */
    private record Cells(int[] target, int[] source, float[] alpha, int[] start) {
        static Cells of(int inSize, int outSize, double scale) {
            int[] target = new int[2 * inSize + outSize];
            int[] source = new int[target.length];
            float[] alpha = new float[target.length];
            int[] start = new int[outSize + 1];
            int k = 0;
            for (int d = 0; d < outSize; d++) {
                start[d] = k;
                double from = d * scale;
                double until = from + scale;
                double cell = Math.min(scale, inSize - from);
                int last = Math.min((int) Math.floor(until), inSize - 1);
                int first = Math.min((int) Math.ceil(from), last);
                if (first - from > 1e-3) {
                    target[k] = d;
                    source[k] = first - 1;
                    alpha[k++] = (float) ((first - from) / cell);
                }
                for (int s = first; s < last; s++) {
                    target[k] = d;
                    source[k] = s;
                    alpha[k++] = (float) (1.0 / cell);
                }
                if (until - last > 1e-3) {
                    target[k] = d;
                    source[k] = last;
                    alpha[k++] = (float) (Math.min(Math.min(until - last, 1.0), cell) / cell);
                }
            }
            start[outSize] = k;
            return new Cells(Arrays.copyOf(target, k), Arrays.copyOf(source, k),
                    Arrays.copyOf(alpha, k), start);
        }
    }
}

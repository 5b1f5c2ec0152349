package dev.diffarm.engine.schedule;

/** The numpy float64 functions diffusers' {@code set_timesteps} uses, with numpy's order of rounding. */
final class Numpy {
    private Numpy() {
    }

    /** {@code np.linspace(start, stop, num)}: {@code i * step + start}, the last value exactly {@code stop}. */
    static double[] linspace(double start, double stop, int num) {
        double[] y = new double[num];
        if (num == 1) {
            y[0] = start;
            return y;
        }
        double step = (stop - start) / (num - 1);
        for (int i = 0; i < num; i++) {
            y[i] = i * step + start;
        }
        y[num - 1] = stop;
        return y;
    }

    /**
     * {@code np.arange(start, stop, step)} for floats: {@code ceil((stop - start) / step)} values
     * {@code start + i * delta}, where {@code delta} is the step as it survives {@code (start + step) - start}.
     */
    static double[] arange(double start, double stop, double step) {
        int length = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] y = new double[length];
        if (length == 0) {
            return y;
        }
        y[0] = start;
        if (length > 1) {
            y[1] = start + step;
        }
        double delta = (start + step) - start;
        for (int i = 2; i < length; i++) {
            y[i] = start + i * delta;
        }
        return y;
    }

    /** {@code np.interp(x, np.arange(len(fp)), fp)}: linear interpolation, held constant outside. */
    static double interp(double x, double[] fp) {
        int last = fp.length - 1;
        if (x >= last) {
            return fp[last];
        }
        if (x <= 0) {
            return fp[0];
        }
        int j = (int) Math.floor(x);
        if (x == j) {
            return fp[j];
        }
        double slope = fp[j + 1] - fp[j];
        return slope * (x - j) + fp[j];
    }

    /** {@code array.round()}: to the nearest integer, halves to even. */
    static double round(double x) {
        return Math.rint(x);
    }

    /** {@code array.astype(np.float32)}, widened back for arithmetic. */
    static double float32(double x) {
        return (float) x;
    }
}

package dev.diffarm.api;

import java.util.Arrays;

/**
 * The noise levels a sampler walks through, from the highest to the last; the last is usually 0.
 * A run of {@code n} steps has {@code n + 1} levels: step {@code i} goes from {@code get(i)} to
 * {@code get(i + 1)}.
 */
public final class Sigmas {
    private final double[] values;

    private Sigmas(double[] values) {
        this.values = values;
    }

    /**
     * @param values at least two noise levels, finite, non-negative and non-increasing
     * @throws IllegalArgumentException naming the first value that breaks this
     */
    public static Sigmas of(double... values) {
        if (values.length < 2) {
            throw new IllegalArgumentException("sigmas: need at least 2 values (one step), got " + values.length);
        }
        for (int i = 0; i < values.length; i++) {
            if (!(values[i] >= 0) || Double.isInfinite(values[i])) {
                throw new IllegalArgumentException("sigmas[" + i + "] = " + values[i] + ": expected a finite value >= 0");
            }
            if (i > 0 && values[i] > values[i - 1]) {
                throw new IllegalArgumentException("sigmas[" + i + "] = " + values[i] + " is above sigmas[" + (i - 1)
                        + "] = " + values[i - 1] + ": expected non-increasing noise levels");
            }
        }
        return new Sigmas(values.clone());
    }

    /** Number of steps: one less than the number of levels. */
    public int steps() {
        return values.length - 1;
    }

    public double get(int i) {
        return values[i];
    }

    /** The first (highest) level. */
    public double max() {
        return values[0];
    }

    /** The level the run ends at. */
    public double last() {
        return values[values.length - 1];
    }

    public double[] toArray() {
        return values.clone();
    }

    @Override
    public String toString() {
        return Arrays.toString(values);
    }
}

package dev.diffarm.samplers.k;

/**
 * {@code n} values from 0 to 1, evenly spaced, rounded as numpy's {@code linspace(0, 1, n)} rounds them in float64
 * ({@code i * (1 / (n - 1))}, the last exactly 1): the ramp diffusers' Karras and Lu levels interpolate along, so
 * that the schedules give the levels its reference runs hold, to the bit.
 */
final class Ramp {
    private Ramp() {
    }

    static double[] of(int n) {
        double[] ramp = new double[n];
        if (n == 1) {
            return ramp;
        }
        double step = 1.0 / (n - 1);
        for (int i = 0; i < n; i++) {
            ramp[i] = i * step;
        }
        ramp[n - 1] = 1;
        return ramp;
    }
}

package dev.diffarm.engine.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Comparison with the reference implementation: the max absolute error relative to the reference's max
 * absolute value, printed so that every run reports the parity it measured.
 */
public final class Parity {
    private Parity() {
    }

    public static double relativeError(float[] expected, float[] actual) {
        double maxErr = 0;
        double maxRef = 0;
        for (int i = 0; i < expected.length; i++) {
            maxErr = Math.max(maxErr, Math.abs((double) expected[i] - actual[i]));
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        return maxRef == 0 ? maxErr : maxErr / maxRef;
    }

    /** Asserts that {@code actual} is within {@code tolerance} of {@code expected}, relative to max |expected|. */
    public static double assertClose(String what, float[] expected, float[] actual, double tolerance) {
        assertTrue(expected.length == actual.length, what + ": " + actual.length + " values, expected " + expected.length);
        double maxErr = 0;
        double maxRef = 0;
        int worst = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs((double) expected[i] - actual[i]);
            if (err > maxErr || Double.isNaN(err)) {
                maxErr = Double.isNaN(err) ? Double.POSITIVE_INFINITY : err;
                worst = i;
            }
            maxRef = Math.max(maxRef, Math.abs(expected[i]));
        }
        double rel = maxRef == 0 ? maxErr : maxErr / maxRef;
        System.out.printf("parity %s: max abs err %.3g, relative %.3g (max |ref| %.4g)%n", what, maxErr, rel, maxRef);
        final int at = worst;
        final double r = rel;
        assertTrue(rel <= tolerance, () -> String.format("%s: relative error %.3g > %.1g (at index %d: expected %s, got %s)",
                what, r, tolerance, at, expected[at], actual[at]));
        return rel;
    }

    public static void assertExact(String what, long[] expected, long[] actual) {
        assertArrayEquals(expected, actual, what);
    }
}

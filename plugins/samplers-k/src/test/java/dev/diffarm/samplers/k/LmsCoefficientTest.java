package dev.diffarm.samplers.k;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;

/**
 * LMS's weights integrate the interpolating polynomial exactly: for any polynomial of degree below the order,
 * sampled at the last levels, the weighted sum is its integral over the step, on uneven levels, down to sigma 0.
 */
class LmsCoefficientTest {
    private static final double[] LEVELS = {14.6, 9.7, 4.1, 2.3, 0.9, 0.03, 0};
    private static final DoubleUnaryOperator CUBIC = s -> 0.7 - 1.3 * s + 0.4 * s * s - 0.02 * s * s * s;
    private static final DoubleUnaryOperator CUBIC_INTEGRAL = s -> 0.7 * s - 0.65 * s * s + 0.4 / 3 * s * s * s
            - 0.005 * s * s * s * s;

    @Test
    void weightsIntegrateACubicExactly() {
        for (int i = Lms.ORDER - 1; i + 1 < LEVELS.length; i++) {
            double sum = 0;
            for (int j = 0; j < Lms.ORDER; j++) {
                sum += Lms.coefficient(LEVELS, i, Lms.ORDER, j) * CUBIC.applyAsDouble(LEVELS[i - j]);
            }
            double exact = CUBIC_INTEGRAL.applyAsDouble(LEVELS[i + 1]) - CUBIC_INTEGRAL.applyAsDouble(LEVELS[i]);
            assertEquals(exact, sum, 1e-12 * Math.abs(exact), "step " + i);
        }
    }

    @Test
    void lowerOrdersIntegrateLowerDegrees() {
        for (int order = 1; order <= Lms.ORDER; order++) {
            double sum = 0;
            for (int j = 0; j < order; j++) {
                sum += Lms.coefficient(LEVELS, 3, order, j);
            }
            assertEquals(LEVELS[4] - LEVELS[3], sum, 1e-12, "weights of order " + order + " sum to the step");
        }
    }
}

package dev.diffarm.samplers.k;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.api.ModelNoise;
import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.conformance.DeclaredExtensions;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The schedules place their levels from sigma_max down to sigma_min, evenly in their own coordinate (sigma^(1/7)
 * for Karras, log sigma for Exponential), then 0. The engine's tests check them against diffusers' own options.
 */
class SchedulesTest {
    /** SD 1.x's training range. */
    private static final ModelNoise SD = new ModelNoise(0.0292, 14.6146, new double[] {0.0292, 1, 14.6146});

    @Test
    void declaresBothSchedules() {
        assertEquals(List.of("Exponential", "Karras"),
                DeclaredExtensions.of(NoiseSchedule.class).stream().map(NoiseSchedule::name).toList());
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 7, 20})
    void karrasLevelsAreEvenInTheSeventhRoot(int steps) {
        assertEvenlySpaced(new KarrasSchedule().sigmas(steps, SD), steps, s -> Math.pow(s, 1 / 7.0));
    }

    @ParameterizedTest
    @ValueSource(ints = {2, 7, 20})
    void exponentialLevelsAreEvenInLogSigma(int steps) {
        assertEvenlySpaced(new ExponentialSchedule().sigmas(steps, SD), steps, Math::log);
    }

    private static void assertEvenlySpaced(Sigmas sigmas, int steps, DoubleUnaryOperator coordinate) {
        assertEquals(steps, sigmas.steps());
        assertEquals(SD.sigmaMax(), sigmas.get(0), 1e-12 * SD.sigmaMax());
        assertEquals(SD.sigmaMin(), sigmas.get(steps - 1), 1e-12);
        assertEquals(0, sigmas.last());
        double gap = coordinate.applyAsDouble(sigmas.get(1)) - coordinate.applyAsDouble(sigmas.get(0));
        for (int i = 1; i < steps; i++) {
            double step = coordinate.applyAsDouble(sigmas.get(i)) - coordinate.applyAsDouble(sigmas.get(i - 1));
            assertEquals(gap, step, 1e-12, "gap " + i);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"Karras", "Exponential"})
    void oneStepGoesFromTheTopToZero(String name) {
        NoiseSchedule schedule = name.equals("Karras") ? new KarrasSchedule() : new ExponentialSchedule();
        Sigmas sigmas = schedule.sigmas(1, SD);
        assertEquals(1, sigmas.steps());
        assertEquals(SD.sigmaMax(), sigmas.get(0), 1e-12 * SD.sigmaMax());
        assertEquals(0, sigmas.last());
    }
}

package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.Test;

/** diffusers' get_scheduler factors, 2 warm-up steps of 10, base rate 1 (values worked out from its formulas). */
class LrScheduleTest {
    @ParameterizedTest
    @CsvSource({
            "constant, 0, 1.0", "constant, 9, 1.0",
            "constant_with_warmup, 0, 0.0", "constant_with_warmup, 1, 0.5", "constant_with_warmup, 7, 1.0",
            "linear, 1, 0.5", "linear, 2, 1.0", "linear, 6, 0.5", "linear, 10, 0.0",
            "cosine, 1, 0.5", "cosine, 2, 1.0", "cosine, 6, 0.5", "cosine, 10, 0.0",
            "cosine_with_restarts, 4, 0.8535533905932737", "cosine_with_restarts, 6, 0.5", "cosine_with_restarts, 10, 0.0",
            "polynomial, 1, 0.5", "polynomial, 6, 0.50000005", "polynomial, 10, 1e-7", "polynomial, 11, 1e-7"})
    void factorsOfEverySchedule(String name, long step, double expected) {
        assertEquals(expected, LrSchedule.named(name).learningRate(step, 2, 10, 1.0), 1e-12, name + " at step " + step);
    }

    @Test
    void theFixtureRunsCosineRates() {
        double[] expected = {0, 0.5e-3, 1e-3, 0.8535533905932737e-3, 0.5e-3, 0.14644660940672627e-3};
        for (int s = 0; s < 6; s++) {
            assertEquals(expected[s], LrSchedule.COSINE.learningRate(s, 2, 6, 1e-3), 1e-15, "step " + s);
        }
    }

    @Test
    void anUnknownNameIsRefusedNamingTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> LrSchedule.named("exponential"));
        assertTrue(e.getMessage().startsWith("lrScheduler: 'exponential'"), e.getMessage());
    }
}

package dev.diffarm.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

/** The hires benchmark refuses settings it cannot time, naming them. */
class HiresBenchmarkTest {
    @Test
    void refusesSizesStepsAndIterationsItCannotRun() {
        assertEquals("bench size 60x64: expected positive multiples of 8", assertThrows(IllegalArgumentException.class,
                () -> new HiresBenchmark(60, 64, 2, 1, System.out)).getMessage());
        assertEquals("bench steps 0: expected 1..1000", assertThrows(IllegalArgumentException.class,
                () -> new HiresBenchmark(64, 64, 0, 1, System.out)).getMessage());
        assertEquals("bench iterations 0: expected at least 1", assertThrows(IllegalArgumentException.class,
                () -> new HiresBenchmark(64, 64, 2, 0, System.out)).getMessage());
    }
}

package dev.diffarm.engine.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A generator's saved state continues its stream exactly, including the scalar path's cached normal. */
class TorchGeneratorStateTest {
    @Test
    void aRestoredGeneratorDrawsWhatTheOriginalDrewNext() {
        TorchGenerator original = new TorchGenerator(1361);
        original.randn(3); // odd scalar draw: a normal stays cached
        original.randint(0, 1000, 5);
        TorchGenerator.State saved = original.state();
        assertTrue(saved.hasCachedNormal(), "the odd scalar draw leaves a normal cached");
        float[] scalar = original.randn(1);
        float[] blocks = original.randn(2, 4, 5, 5);
        long[] ints = original.randint(0, 1000, 7);

        TorchGenerator resumed = new TorchGenerator(7);
        resumed.restore(saved);
        assertArrayEquals(scalar, resumed.randn(1), "cached normal");
        assertArrayEquals(blocks, resumed.randn(2, 4, 5, 5), "block path");
        assertArrayEquals(ints, resumed.randint(0, 1000, 7), "randint");
    }

    @Test
    void randintRefusesAnEmptyRange() {
        assertThrows(IllegalArgumentException.class, () -> new TorchGenerator(1).randint(5, 5, 1));
    }
}

package dev.diffarm.engine.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import org.junit.jupiter.api.Test;

/** The merge formulas on values that catch rounding: signed zeros, tiny and huge magnitudes. */
class MergeModeTest {
    private static final float[] HARD = {-0f, 0f, 1f, -1e-30f, 1e30f, 0.1f, -3.3333333f, Float.MIN_VALUE, 65504f};
    private static final float[] OTHER = {1f, -0f, 1e-8f, 5f, -1e30f, 0.3f, 0f, -2f, 7f};

    @Test
    void selfMergeAndZeroDifferenceKeepEveryBit() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(HARD);
            for (double m : new double[] {0, 0.1, 0.49999, 0.5, 0.9, 1}) {
                assertArrayEquals(HARD, MergeMode.WEIGHTED_SUM.apply(a, a, null, m).toFloatArray(), "weighted sum m=" + m);
            }
            NDArray b = manager.create(OTHER);
            for (double m : new double[] {0, 0.5, 1, 3}) {
                assertArrayEquals(HARD, MergeMode.ADD_DIFFERENCE.apply(a, b, b, m).toFloatArray(), "add difference m=" + m);
            }
        }
    }

    @Test
    void theEndsOfTheWeightedSumAreTheInputs() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray a = manager.create(HARD);
            NDArray b = manager.create(OTHER);
            float[] atZero = MergeMode.WEIGHTED_SUM.apply(a, b, null, 0).toFloatArray();
            float[] atOne = MergeMode.WEIGHTED_SUM.apply(a, b, null, 1).toFloatArray();
            for (int i = 0; i < HARD.length; i++) {
                assertEquals(HARD[i], atZero[i], 0f, "m=0 gives A at " + i);
                assertEquals(OTHER[i], atOne[i], 0f, "m=1 gives B at " + i);
            }
            float[] middle = MergeMode.WEIGHTED_SUM.apply(a, b, null, 0.25).toFloatArray();
            assertEquals(0.75f * 0.1f + 0.25f * 0.3f, middle[5], 1e-8f);
        }
    }

    @Test
    void modesAreNamedAsTheCommandLineNamesThem() {
        assertEquals(MergeMode.ADD_DIFFERENCE, MergeMode.parse("add-difference"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> MergeMode.parse("average"));
        assertEquals("--mode average: expected one of weighted-sum, add-difference", e.getMessage());
    }
}

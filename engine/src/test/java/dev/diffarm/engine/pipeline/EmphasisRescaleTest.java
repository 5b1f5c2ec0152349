package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.clip.PromptChunk;
import dev.diffarm.engine.testing.Parity;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** A1111's emphasis arithmetic, recomputed here in double precision from its definition. */
class EmphasisRescaleTest {
    private static final int TOKENS = 77;
    private static final int WIDTH = 4;
    private final NDManager manager = NDManager.newBaseManager();

    @AfterEach
    void close() {
        manager.close();
    }

    /** Hidden states with a positive mean, varied enough that weights move it. */
    private static float[] hidden(int seed) {
        float[] values = new float[TOKENS * WIDTH];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) (0.3 + Math.sin(seed * 31 + i * 0.7));
        }
        return values;
    }

    private static PromptChunk chunk(float[] weights) {
        return new PromptChunk(new int[TOKENS], weights, List.of());
    }

    private static float[] ones() {
        float[] weights = new float[TOKENS];
        Arrays.fill(weights, 1f);
        return weights;
    }

    private static double mean(float[] values) {
        return Arrays.stream(toDoubles(values)).average().orElseThrow();
    }

    private static double[] toDoubles(float[] values) {
        double[] out = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = values[i];
        }
        return out;
    }

    private static float[] weighted(float[] hidden, float[] weights) {
        float[] out = new float[hidden.length];
        for (int i = 0; i < hidden.length; i++) {
            out[i] = hidden[i] * weights[i / WIDTH];
        }
        return out;
    }

    private static float[] times(float[] values, double factor) {
        float[] out = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = (float) (values[i] * factor);
        }
        return out;
    }

    private NDArray array(float[] values) {
        return manager.create(values).reshape(TOKENS, WIDTH);
    }

    @Test
    void weightsMultiplyAndTheMeanIsRestored() {
        float[] h = hidden(1);
        float[] w = ones();
        w[3] = 1.5f;
        w[4] = 1.5f;
        w[9] = (float) (1 / 1.1);
        float[] z = weighted(h, w);
        float[] expected = times(z, mean(h) / mean(z));

        NDArray out = EmphasisRescale.apply(List.of(array(h)), List.of(chunk(w)), new int[] {1}).get(0);
        Parity.assertClose("emphasis rescale", expected, out.toFloatArray(), 1e-6);
        assertEquals(mean(h), mean(out.toFloatArray()), 1e-6, "the chunk's mean is unchanged");
    }

    @Test
    void weightsOfOneLeaveTheHiddenStatesAsTheyAre() {
        NDArray h = array(hidden(2));
        assertSame(h, EmphasisRescale.apply(List.of(h), List.of(chunk(ones())), new int[] {1}).get(0));
    }

    /** A schedule's texts share one mean, each counted as often as the schedule lists it. */
    @Test
    void scheduleEntriesShareTheirMeans() {
        float[] h1 = hidden(3);
        float[] h2 = hidden(4);
        float[] w1 = ones();
        w1[1] = 2f;
        float[] w2 = ones();
        float[] z1 = weighted(h1, w1);
        double ratio = (3 * mean(h1) + mean(h2)) / 4 / ((3 * mean(z1) + mean(h2)) / 4);

        List<NDArray> out = EmphasisRescale.apply(List.of(array(h1), array(h2)), List.of(chunk(w1), chunk(w2)),
                new int[] {3, 1});
        Parity.assertClose("emphasis, weighted entry", times(z1, ratio), out.get(0).toFloatArray(), 1e-6);
        Parity.assertClose("emphasis, unweighted entry of the same schedule", times(h2, ratio),
                out.get(1).toFloatArray(), 1e-6);
    }
}

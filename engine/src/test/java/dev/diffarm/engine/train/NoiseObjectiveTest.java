package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

/** v-prediction's target and min-SNR-γ weights against values worked out by hand from diffusers' formulas. */
class NoiseObjectiveTest {
    private static final float[] ABAR = {0.8f, 0.2f};

    @Test
    void velocityTargetAndMinSnrWeights() {
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray latents = m.ones(new Shape(2, 1, 1, 1));
            NDArray noise = m.ones(new Shape(2, 1, 1, 1)).mul(2f);
            long[] t = {0, 1};
            NoiseObjective v = new NoiseObjective(NoiseObjective.Prediction.V_PREDICTION, OptionalDouble.of(1.0), ABAR);
            float[] target = v.target(latents, noise, t).toFloatArray();
            assertEquals(Math.sqrt(0.8) * 2 - Math.sqrt(0.2), target[0], 1e-6);
            assertEquals(Math.sqrt(0.2) * 2 - Math.sqrt(0.8), target[1], 1e-6);
            // SNR = abar / (1 - abar) = 4 and 0.25; v weights min(SNR, 1) / (SNR + 1) = 0.2 and 0.2
            NDArray pred = m.zeros(new Shape(2, 1, 1, 1));
            float loss = v.loss(pred, m.ones(new Shape(2, 1, 1, 1)), t).getFloat();
            assertEquals((0.2 + 0.2) / 2, loss, 1e-6);
            // epsilon weights min(SNR, 1) / SNR = 0.25 and 1
            NoiseObjective eps = new NoiseObjective(NoiseObjective.Prediction.EPSILON, OptionalDouble.of(1.0), ABAR);
            assertEquals((0.25 + 1.0) / 2, eps.loss(pred, m.ones(new Shape(2, 1, 1, 1)), t).getFloat(), 1e-6);
        }
    }
}

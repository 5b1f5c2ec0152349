package dev.diffarm.api.conformance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.NoiseSource;
import java.util.Random;

/**
 * A self-contained seeded {@link NoiseSource}: {@link Random#nextGaussian} values in row-major order, the same on
 * every JVM for the same seed and the same sequence of shapes. It stands in for the engine's generator, which
 * reproduces PyTorch's, in tests that need determinism but not PyTorch's exact bits.
 */
public final class SeededNoise implements NoiseSource {
    private final Random random;

    public SeededNoise(long seed) {
        random = new Random(seed);
    }

    @Override
    public NDArray next(NDManager manager, Shape shape) {
        float[] values = new float[Math.toIntExact(shape.size())];
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return manager.create(values, shape);
    }
}

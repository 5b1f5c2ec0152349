package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.random.TorchGenerator;

/**
 * Where a training run's random numbers come from, in the order the run asks: normally the run's one
 * {@link TorchGenerator}; a test may hand in draws recorded elsewhere instead.
 */
public interface Draws {
    /** {@code torch.randn(shape)}. */
    NDArray randn(NDManager manager, Shape shape);

    /** {@code torch.randint(0, high, (n,))}. */
    long[] randint(long high, int n);

    /** The draws of {@code generator}. */
    static Draws of(TorchGenerator generator) {
        return new Draws() {
            @Override
            public NDArray randn(NDManager manager, Shape shape) {
                return generator.next(manager, shape);
            }

            @Override
            public long[] randint(long high, int n) {
                return generator.randint(0, high, n);
            }
        };
    }
}

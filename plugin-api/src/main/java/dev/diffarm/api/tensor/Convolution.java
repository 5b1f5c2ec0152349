package dev.diffarm.api.tensor;

import ai.djl.ndarray.NDArray;

/** A 2-D convolution prepared by {@link TensorOps#convolution}: its kernel, bias, stride and padding fixed. */
@FunctionalInterface
public interface Convolution {
    /**
     * The convolution of {@code x}.
     *
     * @param x float32 [N, in, H, W], in any layout
     * @return float32 [N, out, H', W'] on {@code x}'s manager
     */
    NDArray apply(NDArray x);
}

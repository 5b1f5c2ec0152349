package dev.diffarm.api.tensor;

import ai.djl.ndarray.NDArray;

/** A 2-D convolution prepared by {@link TensorOps#convolution}: its kernel, bias, stride and padding fixed. */
public interface Convolution {
    /**
     * The convolution of {@code x}.
     *
     * @param x float32 [N, in, H, W], in any layout
     * @return float32 [N, out, H', W'] on {@code x}'s manager
     */
    NDArray apply(NDArray x);

    /**
     * The convolution of {@code x} followed by a leaky ReLU ({@code v < 0 ? slope * v : v}), as ESRGAN's layers
     * compute; the host fuses the two into one pass where it can.
     */
    NDArray applyLeakyRelu(NDArray x, float slope);
}

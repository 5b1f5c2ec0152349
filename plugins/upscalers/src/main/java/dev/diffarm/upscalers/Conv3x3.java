package dev.diffarm.upscalers;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.tensor.Convolution;
import dev.diffarm.api.tensor.TensorOps;

/**
 * A 3x3 convolution with stride 1 and zero padding 1, which keeps the size: every layer of an RRDBNet. It runs on the
 * host's {@link TensorOps} (its kernel prepared once), and keeps the weight for the network's description.
 */
record Conv3x3(NDArray weight, Convolution convolution) {
    static Conv3x3 of(NDArray weight, NDArray bias, TensorOps ops) {
        return new Conv3x3(weight, ops.convolution(weight, bias, 1, 1));
    }

    NDArray apply(NDArray x) {
        return convolution.apply(x);
    }

    /** {@code leakyRelu(apply(x))}, in one pass where the host fuses them. */
    NDArray applyLeakyRelu(NDArray x, float slope) {
        return convolution.applyLeakyRelu(x, slope);
    }
}

package dev.diffarm.api.tensor;

import ai.djl.ndarray.NDArray;

/**
 * The host's tensor operations, handed to a plugin where it loads a network (such as
 * {@link dev.diffarm.api.upscale.UpscalerArchitecture#load(dev.diffarm.api.upscale.UpscalerWeights, TensorOps)}).
 * DJL's NDArray API reaches only libtorch's plain operators; the host also has faster ones (convolutions with the
 * kernel prepared once in the CPU library's own layout, several times faster than DJL's {@code conv2d} on a CPU) that
 * a plugin cannot reach by itself. A network built on these runs as fast as the host's own models do.
 *
 * <p>Results equal DJL's plain operators to float32 rounding. Implementations are safe to use from several threads.
 */
public interface TensorOps {
    /**
     * A 2-D convolution with this kernel and bias, prepared for repeated calls. What it prepares (a reordered copy of
     * the kernel) belongs to {@code weight}'s manager and is freed with it.
     *
     * @param weight  [out, in, k, k], float32
     * @param bias    [out], float32
     * @param stride  the stride along both axes, at least 1
     * @param padding the zero padding on every side, at least 0
     * @throws IllegalArgumentException if the kernel is not square and 4-D, the bias does not match it, or the stride
     *                                  or padding is out of range
     */
    Convolution convolution(NDArray weight, NDArray bias, int stride, int padding);

    /**
     * The same values in the memory layout the host's convolutions run fastest on (PyTorch's {@code channels_last}
     * on a CPU); element-wise operators and concatenation keep it. A network converts its input once.
     */
    NDArray preferredLayout(NDArray x);

    /** The same values in standard row-major [N, C, H, W] layout, as code that reads raw memory needs. */
    NDArray standardLayout(NDArray x);

    /** DJL's plain operators: what a network runs on where the host supplies none (a plugin's own unit tests). */
    static TensorOps plain() {
        return PlainTensorOps.INSTANCE;
    }
}

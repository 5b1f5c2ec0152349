package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.tensor.Convolution;
import dev.diffarm.api.tensor.ConvolutionShape;
import dev.diffarm.api.tensor.TensorOps;

/**
 * The engine's fast operators handed to plugins: convolutions with the kernel packed once in oneDNN's layout, as the
 * UNet's {@link Conv2d} runs them, on channels-last activations, with a following leaky ReLU fused in. Where libtorch cannot pack a kernel, that convolution
 * is DJL's plain one.
 */
public final class NativeTensorOps implements TensorOps {
    /** The one instance: the operators hold no state. */
    public static final NativeTensorOps INSTANCE = new NativeTensorOps();

    private NativeTensorOps() {
    }

    @Override
    public Convolution convolution(NDArray weight, NDArray bias, int stride, int padding) {
        ConvolutionShape.check(weight, bias, stride, padding);
        NDArray packed = NativeOps.packedOrNull(weight, stride, padding);
        if (packed == null) {
            return TensorOps.plain().convolution(weight, bias, stride, padding);
        }
        return new Convolution() {
            @Override
            public NDArray apply(NDArray x) {
                return NativeOps.packedConvolution(x, packed, bias, stride, padding);
            }

            @Override
            public NDArray applyLeakyRelu(NDArray x, float slope) {
                return NativeOps.packedConvolutionLeakyRelu(x, packed, bias, stride, padding, slope);
            }
        };
    }

    @Override
    public NDArray preferredLayout(NDArray x) {
        return NativeOps.channelsLast(x);
    }

    @Override
    public NDArray standardLayout(NDArray x) {
        return NativeOps.contiguous(x);
    }
}

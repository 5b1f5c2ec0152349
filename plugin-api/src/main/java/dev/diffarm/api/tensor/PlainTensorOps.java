package dev.diffarm.api.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;

/** {@link TensorOps} on DJL's own operators: the convolution is DJL's {@code conv2d}, layouts are left as they are. */
final class PlainTensorOps implements TensorOps {
    static final PlainTensorOps INSTANCE = new PlainTensorOps();
    private static final Shape NO_DILATION = new Shape(1, 1);

    private PlainTensorOps() {
    }

    @Override
    public Convolution convolution(NDArray weight, NDArray bias, int stride, int padding) {
        ConvolutionShape.check(weight, bias, stride, padding);
        Shape strides = new Shape(stride, stride);
        Shape paddings = new Shape(padding, padding);
        return new Convolution() {
            @Override
            public NDArray apply(NDArray x) {
                return Conv2d.conv2d(x, weight, bias, strides, paddings, NO_DILATION, 1).singletonOrThrow();
            }

            @Override
            public NDArray applyLeakyRelu(NDArray x, float slope) {
                return Activation.leakyRelu(apply(x), slope);
            }
        };
    }

    @Override
    public NDArray preferredLayout(NDArray x) {
        return x;
    }

    @Override
    public NDArray standardLayout(NDArray x) {
        return x;
    }
}

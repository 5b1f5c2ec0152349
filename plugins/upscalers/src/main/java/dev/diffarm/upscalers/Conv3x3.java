package dev.diffarm.upscalers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;

/** A 3x3 convolution with stride 1 and zero padding 1, which keeps the size: every layer of an RRDBNet. */
record Conv3x3(NDArray weight, NDArray bias) {
    private static final Shape ONE = new Shape(1, 1);

    NDArray apply(NDArray x) {
        return Conv2d.conv2d(x, weight, bias, ONE, ONE, ONE, 1).singletonOrThrow();
    }
}

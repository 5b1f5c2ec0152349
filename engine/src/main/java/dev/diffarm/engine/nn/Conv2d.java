package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.model.Weights;

/** A 2-D convolution over [N, C, H, W] with square kernel, stride and symmetric padding. */
public final class Conv2d {
    private static final Shape NO_DILATION = new Shape(1, 1);
    private final NDArray weight;
    private final NDArray bias;
    private final Shape stride;
    private final Shape padding;

    /** A stride-1 convolution that keeps the size: padding is half the kernel. */
    public Conv2d(Weights w) {
        this(w, 1, -1);
    }

    /**
     * @param stride  the stride along both axes
     * @param padding zero padding on every side; -1 for half the kernel size
     */
    public Conv2d(Weights w, int stride, int padding) {
        this.weight = w.take("weight");
        this.bias = w.has("bias") ? w.take("bias") : null;
        long kernel = weight.getShape().get(2);
        long pad = padding < 0 ? kernel / 2 : padding;
        this.stride = new Shape(stride, stride);
        this.padding = new Shape(pad, pad);
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal().convolution(x, weight, bias, stride, padding, NO_DILATION, 1).singletonOrThrow();
    }

    public long outChannels() {
        return weight.getShape().get(0);
    }

    public long inChannels() {
        return weight.getShape().get(1);
    }
}

package dev.diffarm.api.tensor;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/** The argument checks of {@link TensorOps#convolution}, shared by every implementation. */
public final class ConvolutionShape {
    private ConvolutionShape() {
    }

    /**
     * @throws IllegalArgumentException naming the argument, its value and what was expected
     */
    public static void check(NDArray weight, NDArray bias, int stride, int padding) {
        Shape w = weight.getShape();
        if (w.dimension() != 4 || w.get(2) != w.get(3)) {
            throw new IllegalArgumentException("convolution weight has shape " + w
                    + ", expected [out, in, k, k] (a square 2-D kernel)");
        }
        if (!bias.getShape().equals(new Shape(w.get(0)))) {
            throw new IllegalArgumentException("convolution bias has shape " + bias.getShape() + ", expected ("
                    + w.get(0) + ") for a kernel of shape " + w);
        }
        if (stride < 1 || padding < 0) {
            throw new IllegalArgumentException("convolution stride " + stride + ", padding " + padding
                    + ": expected a stride of at least 1 and a padding of at least 0");
        }
    }
}

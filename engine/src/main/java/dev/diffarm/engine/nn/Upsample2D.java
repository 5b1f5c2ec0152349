package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.Weights;

/**
 * Nearest-neighbour upsampling followed by a 3x3 convolution. The target size is the skip connection's
 * (UNet) or twice the input (VAE): for odd sizes such as a 65x65 latent the two differ, and the UNet
 * must land exactly on its skip connection.
 */
public final class Upsample2D {
    private final Conv2d conv;

    public Upsample2D(Weights w) {
        this.conv = new Conv2d(w.at("conv"));
    }

    public NDArray forward(NDArray x, long height, long width) {
        return conv.forward(NativeOps.upsampleNearest(x, height, width));
    }

    public NDArray forward(NDArray x) {
        return forward(x, x.getShape().get(2) * 2, x.getShape().get(3) * 2);
    }
}

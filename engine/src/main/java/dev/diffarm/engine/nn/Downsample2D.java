package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.model.Weights;

/**
 * Halves the resolution with a stride-2 3x3 convolution. The UNet pads one pixel on every side; the VAE
 * encoder pads only the right and bottom edges, as the original CompVis code did.
 */
public final class Downsample2D {
    private static final Shape RIGHT_BOTTOM = new Shape(0, 1, 0, 1);
    private final Conv2d conv;
    private final boolean asymmetric;

    private Downsample2D(Conv2d conv, boolean asymmetric) {
        this.conv = conv;
        this.asymmetric = asymmetric;
    }

    public static Downsample2D padded(Weights w) {
        return new Downsample2D(new Conv2d(w.at("conv"), 2, 1), false);
    }

    public static Downsample2D rightBottomPadded(Weights w) {
        return new Downsample2D(new Conv2d(w.at("conv"), 2, 0), true);
    }

    public NDArray forward(NDArray x) {
        return conv.forward(asymmetric ? x.pad(RIGHT_BOTTOM, 0) : x);
    }
}

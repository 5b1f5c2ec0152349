package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.Weights;

/** {@code y = x W^T + b}; the bias is optional, as in the UNet's attention projections. */
public final class Linear {
    private final NDArray weight;
    private final NDArray bias;

    public Linear(Weights w) {
        this.weight = w.take("weight");
        this.bias = w.has("bias") ? w.take("bias") : null;
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
    }

    public long outFeatures() {
        return weight.getShape().get(0);
    }

    public long inFeatures() {
        return weight.getShape().get(1);
    }
}

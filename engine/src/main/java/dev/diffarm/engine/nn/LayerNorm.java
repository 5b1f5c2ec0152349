package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.model.Weights;

/** Layer normalisation over the last axis. */
public final class LayerNorm {
    private final NDArray weight;
    private final NDArray bias;
    private final Shape normalized;
    private final float eps;

    public LayerNorm(Weights w, double eps) {
        this.weight = w.take("weight");
        this.bias = w.take("bias");
        this.normalized = new Shape(weight.getShape().get(0));
        this.eps = (float) eps;
    }

    public NDArray forward(NDArray x) {
        return x.getNDArrayInternal().layerNorm(x, normalized, weight, bias, eps).singletonOrThrow();
    }
}

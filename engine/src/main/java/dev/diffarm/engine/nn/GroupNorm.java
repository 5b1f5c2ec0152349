package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.Weights;

/** Group normalisation with a learned per-channel scale and shift. */
public final class GroupNorm {
    private final NDArray weight;
    private final NDArray bias;
    private final int groups;
    private final double eps;

    public GroupNorm(Weights w, int groups, double eps) {
        this.weight = w.take("weight");
        this.bias = w.take("bias");
        this.groups = groups;
        this.eps = eps;
    }

    public NDArray forward(NDArray x) {
        return NativeOps.groupNorm(x, groups, weight, bias, eps);
    }

    /** {@code silu(norm(x))}. */
    public NDArray forwardSilu(NDArray x) {
        return NativeOps.groupNormSilu(x, groups, weight, bias, eps);
    }
}

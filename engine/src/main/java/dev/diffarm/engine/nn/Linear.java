package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.model.WeightedLayer;

/**
 * {@code y = x W^T + b}; the bias is optional, as in the UNet's attention projections. The weight can be swapped for
 * a fused one (LoRA) and restored, and a {@link Branch} can add a term of its own computed from the same input (LoRA
 * unmerged, as training needs it).
 */
public final class Linear implements WeightedLayer {
    private final NDArray original;
    private final NDArray bias;
    private NDArray weight;
    private Branch branch;

    /** A term added to the layer's output, computed from its input: {@code y = x W^T + b + branch(x)}. */
    @FunctionalInterface
    public interface Branch {
        NDArray forward(NDArray input);
    }

    public Linear(Weights w) {
        this.original = w.take("weight");
        this.bias = w.has("bias") ? w.take("bias") : null;
        this.weight = original;
        w.register(this);
    }

    public NDArray forward(NDArray x) {
        NDArray y = x.getNDArrayInternal().linear(x, weight, bias).singletonOrThrow();
        return branch == null ? y : y.add(branch.forward(x));
    }

    /** Adds {@code branch}'s term to every output from now on; {@code null} removes it. */
    public void setBranch(Branch branch) {
        this.branch = branch;
    }

    public long outFeatures() {
        return original.getShape().get(0);
    }

    public long inFeatures() {
        return original.getShape().get(1);
    }

    @Override
    public NDArray originalWeight() {
        return original;
    }

    @Override
    public NDArray weight() {
        return weight;
    }

    @Override
    public void setWeight(NDArray weight) {
        SameShape.require(original, weight);
        this.weight = weight;
    }

    @Override
    public void restore() {
        this.weight = original;
    }
}

package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.model.WeightedLayer;
import dev.diffarm.engine.model.Weights;

/**
 * A 2-D convolution over [N, C, H, W] with square kernel, stride and symmetric padding.
 *
 * <p>For inference the kernel is also kept packed in oneDNN's layout ({@link NativeOps#packConvolutionWeight}),
 * which makes the UNet's convolutions several times faster on CPU; the plain kernel stays for whatever needs
 * the values (merging, fine-tuning, gradients). While a gradient is recorded it computes with the
 * plain kernel, as the packed one has no backward. Where libtorch cannot pack, the plain kernel is used. A kernel
 * swapped in ({@link #setWeight}, LoRA) is packed anew; the loaded kernel keeps its packed copy for {@link #restore}.
 * When training changes the loaded kernel in place ({@link #loadedValuesChanged}) its packed copy is made again at the
 * next inference call, not at once: a training loop records gradients and never uses it.
 */
public final class Conv2d implements WeightedLayer {
    private static final Shape NO_DILATION = new Shape(1, 1);
    private final NDArray original;
    private NDArray originalPacked;
    private boolean originalPackedStale;
    private final NDArray bias;
    private final int stride;
    private final int padding;
    private NDArray weight;
    private NDArray packed;

    /** A stride-1 convolution that keeps the size: padding is half the kernel. */
    public Conv2d(Weights w) {
        this(w, 1, -1);
    }

    /**
     * @param stride  the stride along both axes
     * @param padding zero padding on every side; -1 for half the kernel size
     */
    public Conv2d(Weights w, int stride, int padding) {
        this.original = w.take("weight");
        this.bias = w.has("bias") ? w.take("bias") : original.getManager()
                .zeros(new Shape(original.getShape().get(0)), original.getDataType());
        this.stride = stride;
        this.padding = padding < 0 ? (int) (original.getShape().get(2) / 2) : padding;
        this.originalPacked = NativeOps.packedOrNull(original, this.stride, this.padding);
        this.weight = original;
        this.packed = originalPacked;
        w.register(this);
    }

    public NDArray forward(NDArray x) {
        if (packed != null && !Autograd.recording()) {
            if (originalPackedStale && weight == original) {
                repackOriginal();
            }
            return NativeOps.packedConvolution(x, packed, bias, stride, padding);
        }
        Shape s = new Shape(stride, stride);
        Shape p = new Shape(padding, padding);
        return x.getNDArrayInternal().convolution(x, weight, bias, s, p, NO_DILATION, 1).singletonOrThrow();
    }

    private synchronized void repackOriginal() {
        if (!originalPackedStale) {
            return;
        }
        NDArray fresh = NativeOps.packedOrNull(original, stride, padding);
        // the call may come inside a render step's scope; the packed kernel lives as long as the layer
        NDScope.unregister(fresh);
        originalPacked.close();
        originalPacked = fresh;
        packed = fresh;
        originalPackedStale = false;
    }

    public long outChannels() {
        return original.getShape().get(0);
    }

    public long inChannels() {
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

    /** Uses {@code weight}; its packed copy is made here and belongs to {@code weight}'s manager. */
    @Override
    public void setWeight(NDArray weight) {
        SameShape.require(original, weight);
        this.packed = originalPacked == null ? null : NativeOps.packedOrNull(weight, stride, padding);
        this.weight = weight;
    }

    @Override
    public void restore() {
        this.weight = original;
        this.packed = originalPacked;
    }

    /** The loaded kernel or bias was updated in place: its packed copy is out of date and is made anew when next used. */
    @Override
    public void loadedValuesChanged() {
        originalPackedStale = originalPacked != null;
    }
}

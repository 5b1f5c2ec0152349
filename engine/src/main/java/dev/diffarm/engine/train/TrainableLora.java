package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.lora.LoraModule.Component;
import dev.diffarm.engine.nn.Linear;

/**
 * One layer's LoRA as peft trains it, unmerged: the layer computes {@code W x + b + (alpha / r) · B (A x)} with
 * {@code A} [r, in] ("down") and {@code B} [out, r] ("up") the only trained arrays.
 */
final class TrainableLora implements Linear.Branch {
    private final Component component;
    private final String path;
    private final NDArray down;
    private final NDArray up;
    private final float alpha;
    private final NDArray scale;

    /**
     * @param component the model part the layer belongs to
     * @param path  the layer's diffusers key path
     * @param down  A [r, in]; it is marked as trained
     * @param up    B [out, r]; it is marked as trained
     * @param alpha the scale numerator
     */
    TrainableLora(Component component, String path, NDArray down, NDArray up, float alpha) {
        this.component = component;
        this.path = path;
        this.down = down;
        this.up = up;
        this.alpha = alpha;
        // A tensor that lives as long as the module: the graph keeps the factor for the backward pass, and a scalar
        // that DJL makes for mul(Number) is freed as soon as the product is made.
        this.scale = down.getManager().create((float) ((double) alpha / down.getShape().get(0)));
        down.setRequiresGradient(true);
        up.setRequiresGradient(true);
    }

    /** peft's order: {@code lora_B(lora_A(x)) * scaling}. */
    @Override
    public NDArray forward(NDArray input) {
        NDArray low = input.getNDArrayInternal().linear(input, down, null).singletonOrThrow();
        return low.getNDArrayInternal().linear(low, up, null).singletonOrThrow().mul(scale);
    }

    String path() {
        return path;
    }

    Component component() {
        return component;
    }

    /** The module's key stem in a kohya file. */
    String stem() {
        return KohyaLoraFile.stem(component, path);
    }

    NDArray down() {
        return down;
    }

    NDArray up() {
        return up;
    }

    float alpha() {
        return alpha;
    }

    long rank() {
        return down.getShape().get(0);
    }
}

package dev.diffarm.engine.model;

import ai.djl.ndarray.NDArray;

/**
 * A layer whose weight can be replaced for a while and put back exactly: how LoRA fuses {@code W + ΔW} into a
 * model for a batch of renders without reloading it. A layer registers itself in its {@link Weights}' {@link
 * LayerIndex} under its key path when it takes its tensors.
 *
 * <p>Not for use while the model computes: swap weights between renders.
 */
public interface WeightedLayer {

    /** The weight as it was loaded, whatever weight the layer uses now. */
    NDArray originalWeight();

    /** The weight the layer computes with now: the loaded one, or the one {@link #setWeight} gave it. */
    NDArray weight();

    /**
     * Makes the layer compute with {@code weight} instead of its loaded weight, until {@link #restore} or the next
     * call. The caller keeps ownership: {@code weight} must stay open as long as the layer uses it.
     *
     * @throws IllegalArgumentException if {@code weight} does not have the loaded weight's shape
     */
    void setWeight(NDArray weight);

    /** Makes the layer compute with its loaded weight again: the very array it was loaded as, bit for bit. */
    void restore();

    /**
     * Tells the layer that the values of its loaded tensors were changed in place (a fine-tuning step updated them), so
     * that whatever it derived from them for speed is out of date. Layers that derive nothing keep the default.
     */
    default void loadedValuesChanged() {
    }
}

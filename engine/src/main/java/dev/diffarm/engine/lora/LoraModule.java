package dev.diffarm.engine.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import java.util.List;

/**
 * One layer's low-rank update: {@code ΔW = up · down · alpha / rank}, with {@code down} [rank, in] and {@code up}
 * [out, rank] for a linear layer, and {@code down} [rank, in, kh, kw] and {@code up} [out, rank, 1, 1] for a
 * convolution (the product is taken on the flattened matrices and folded back into the kernel's shape).
 *
 * @param component the model component the layer belongs to
 * @param layerName the layer as the file names it: a diffusers key path ({@code down_blocks.0.attentions.0.proj_in})
 *                  or kohya's form of it with every dot an underscore
 * @param keys      the file's tensor keys of this module, for messages
 * @param down      the down projection (LoRA's A)
 * @param up        the up projection (LoRA's B)
 * @param alpha     the scale numerator; the rank where the file stores none, so that the scale is 1
 */
public record LoraModule(Component component, String layerName, List<String> keys, NDArray down, NDArray up,
                         float alpha) {

    /** Which part of Stable Diffusion a module applies to. */
    public enum Component { UNET, TEXT_ENCODER }

    public LoraModule {
        keys = List.copyOf(keys);
    }

    public long rank() {
        return down.getShape().get(0);
    }

    /** Output features of the layer the module was trained for. */
    long outFeatures() {
        return up.getShape().get(0);
    }

    /** Input elements per output feature ({@code in} for a linear layer, {@code in·kh·kw} for a convolution). */
    long inElements() {
        return down.getShape().size() / rank();
    }

    /** True if the module's product has exactly the size of a layer weight of {@code shape}. */
    boolean fits(Shape shape) {
        return shape.get(0) == outFeatures() && shape.size() == outFeatures() * inElements()
                && up.getShape().size() == outFeatures() * rank();
    }

    /** {@code multiplier · alpha / rank · up} as the matrix [out, rank]: the scaled left factor of the update. */
    NDArray scaledUp(double multiplier) {
        return up.reshape(outFeatures(), rank()).mul((float) (multiplier * alpha / rank()));
    }

    /** {@code down} as the matrix [rank, in·kh·kw]: the right factor of the update. */
    NDArray flatDown() {
        return down.reshape(rank(), inElements());
    }
}

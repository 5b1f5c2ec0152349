package dev.diffarm.upscalers;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.tensor.TensorOps;
import java.util.Map;
import java.util.TreeSet;

/**
 * The tensors of a model as the network takes them, each by its key and checked for shape; {@link #requireAllUsed}
 * then fails on any the network did not take, so a file of another architecture or a misread key never loads
 * quietly.
 */
final class StrictWeights {
    private final String model;
    private final Map<String, NDArray> tensors;
    private final TreeSet<String> unused;
    private final TensorOps ops;

    /** @param ops the operators the layers compute with */
    StrictWeights(String model, Map<String, NDArray> tensors, TensorOps ops) {
        this.model = model;
        this.tensors = tensors;
        this.ops = ops;
        this.unused = new TreeSet<>(tensors.keySet());
    }

    /** True if the model has the tensor {@code key}. */
    boolean has(String key) {
        return tensors.containsKey(key);
    }

    /** The shape of the tensor {@code key}. */
    Shape shape(String key) {
        return get(key).getShape();
    }

    /** The 3x3 convolution {@code prefix}.weight [out, in, 3, 3] and {@code prefix}.bias [out]. */
    Conv3x3 conv(String prefix, long in, long out) {
        NDArray weight = take(prefix + ".weight", new Shape(out, in, 3, 3));
        NDArray bias = take(prefix + ".bias", new Shape(out));
        return Conv3x3.of(weight, bias, ops);
    }

    /** @throws IllegalArgumentException naming every tensor no layer took */
    void requireAllUsed() {
        if (!unused.isEmpty()) {
            throw new IllegalArgumentException("upscaler model " + model + ": tensors not used by an RRDBNet: " + unused);
        }
    }

    private NDArray take(String key, Shape expected) {
        NDArray tensor = get(key);
        if (!tensor.getShape().equals(expected)) {
            throw new IllegalArgumentException("upscaler model " + model + ": " + key + " has shape " + tensor.getShape()
                    + ", expected " + expected);
        }
        unused.remove(key);
        return tensor;
    }

    private NDArray get(String key) {
        NDArray tensor = tensors.get(key);
        if (tensor == null) {
            throw new IllegalArgumentException("upscaler model " + model + ": no tensor " + key);
        }
        return tensor;
    }
}

package dev.diffarm.api.upscale;

import ai.djl.ndarray.NDArray;
import java.util.Map;
import java.util.Objects;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The weights of an upscaler model file, read by the host (a plugin never opens a file): every tensor by its key
 * as the file names it, float32, and the file's metadata. For a {@code .pth} that wraps its state dict (Real-ESRGAN's
 * {@code params_ema} or {@code params}), the tensors are the wrapped dict's.
 *
 * @param name     the model's name, as A1111 shows it: the file name without its extension ({@code 4x-UltraSharp})
 * @param tensors  the tensors by key; owned by the host, which closes them after the network it loaded is closed
 * @param metadata the file's metadata (a safetensors header's {@code __metadata__}); empty when it has none
 */
public record UpscalerWeights(String name, Map<String, NDArray> tensors, Map<String, String> metadata) {
    public UpscalerWeights {
        Objects.requireNonNull(name, "name");
        tensors = Map.copyOf(tensors);
        metadata = Map.copyOf(metadata);
    }

    /**
     * The tensor {@code key}.
     *
     * @throws IllegalArgumentException naming the model and the key if the file has no such tensor
     */
    public NDArray tensor(String key) {
        NDArray tensor = tensors.get(key);
        if (tensor == null) {
            throw new IllegalArgumentException("upscaler model " + name + " has no tensor " + key);
        }
        return tensor;
    }

    /** The keys, sorted. */
    public SortedSet<String> keys() {
        return new TreeSet<>(tensors.keySet());
    }

    @Override
    public String toString() {
        return "UpscalerWeights[" + name + ", " + tensors.size() + " tensors, metadata " + new TreeSet<>(metadata.keySet())
                + "]";
    }
}

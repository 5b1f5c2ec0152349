package dev.diffarm.engine.upscale;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.upscale.UpscalerWeights;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.torchzip.TorchArchive;
import dev.diffarm.engine.torchzip.TorchTensor;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Reads an upscaler model file into the {@link UpscalerWeights} a plugin loads its network from: {@code .safetensors}
 * (tensors widened to float32, its metadata kept), or a {@code torch.save} file ({@code .pth}, {@code .pt}) read
 * with the restricted unpickler, so that a pickle asking for anything but tensors and dicts is refused by name and
 * nothing in it runs. Real-ESRGAN's files wrap the state dict in {@code params_ema} (or {@code params}); that dict is
 * the one taken, as A1111 and spandrel take it.
 */
public final class UpscalerModelFile {
    /** The wrappers Real-ESRGAN / BasicSR save a state dict under, in the order they are preferred. */
    private static final String[] WRAPPERS = {"params_ema", "params"};

    private UpscalerModelFile() {
    }

    /**
     * The weights of {@code file}, their arrays owned by {@code manager}.
     *
     * @throws IllegalArgumentException naming the file when its extension is neither, or it holds no tensors
     * @throws dev.diffarm.engine.torchzip.TorchFileException when a torch file is refused or unreadable
     */
    public static UpscalerWeights read(Path file, NDManager manager) {
        String fileName = file.getFileName().toString();
        int dot = fileName.lastIndexOf('.');
        String extension = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        String name = dot < 0 ? fileName : fileName.substring(0, dot);
        UpscalerWeights weights = switch (extension) {
            case "safetensors" -> safetensors(file, name, manager);
            case "pth", "pt" -> torch(file, name, manager);
            default -> throw new IllegalArgumentException("upscaler model " + file + ": expected a .safetensors or "
                    + ".pth file");
        };
        if (weights.tensors().isEmpty()) {
            throw new IllegalArgumentException("upscaler model " + file + " holds no tensors");
        }
        return weights;
    }

    private static UpscalerWeights safetensors(Path file, String name, NDManager manager) {
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            for (String key : st.names()) {
                if (!st.info(key).dtype().isFloatingPoint()) {
                    throw new IllegalArgumentException("upscaler model " + file + ": tensor " + key + " is "
                            + st.info(key).dtype() + ", expected floating point weights");
                }
                tensors.put(key, st.load(key, manager));
            }
            return new UpscalerWeights(name, tensors, st.metadata());
        }
    }

    private static UpscalerWeights torch(Path file, String name, NDManager manager) {
        try (TorchArchive archive = TorchArchive.open(file)) {
            Map<?, ?> dict = stateDict(file, archive.root());
            Map<String, NDArray> tensors = new LinkedHashMap<>();
            dict.forEach((key, value) -> {
                // plain values beside the tensors (an epoch count, a version) are no weights: they are left out
                if (value instanceof TorchTensor tensor) {
                    tensors.put(String.valueOf(key), manager.create(archive.floats(tensor), new Shape(tensor.shape())));
                }
            });
            return new UpscalerWeights(name, tensors, Map.of());
        }
    }

    private static Map<?, ?> stateDict(Path file, Object root) {
        if (!(root instanceof Map<?, ?> map)) {
            throw new IllegalArgumentException("upscaler model " + file + ": expected a state dict (a dict of tensors), "
                    + "found a " + (root == null ? "None" : root.getClass().getSimpleName()));
        }
        for (String wrapper : WRAPPERS) {
            if (map.get(wrapper) instanceof Map<?, ?> inner) {
                return inner;
            }
        }
        return map;
    }
}

package dev.diffarm.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.safetensors.DType;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One component's tensors in a safetensors file: the whole file (a diffusers component's
 * {@code diffusion_pytorch_model.safetensors}), or the keys under a prefix of a single-file checkpoint, with the
 * prefix stripped and the rest translated by a {@link KeyMap}. Opening reads only the header the file already
 * parsed; tensors are read when loaded. The file is not owned: whoever opened it closes it.
 */
public final class SafetensorsTensorSource implements TensorSource {
    private final SafetensorsFile file;
    private final String prefix;
    private final Map<String, Stored> byKey;

    private record Stored(String name, boolean convToLinear) {
    }

    /** Every tensor of {@code file}, already named as diffusers names them. */
    public SafetensorsTensorSource(SafetensorsFile file) {
        this(file, "", KeyMap.identity(Set.of()));
    }

    /**
     * The tensors of {@code file} whose keys start with {@code prefix}, renamed by {@code keyMap}.
     *
     * @throws ModelLoadException if a key under the prefix is neither translated nor deliberately ignored by the
     *                            map, or if two keys translate to the same name
     */
    public SafetensorsTensorSource(SafetensorsFile file, String prefix, KeyMap keyMap) {
        this.file = file;
        this.prefix = prefix;
        Map<String, Stored> keys = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String name : file.names()) {
            if (!name.startsWith(prefix)) {
                continue;
            }
            String stored = name.substring(prefix.length());
            if (keyMap.ignores(stored)) {
                continue;
            }
            keyMap.target(stored).ifPresentOrElse(target -> {
                Stored previous = keys.put(target.key(), new Stored(name, target.convToLinear()));
                if (previous != null) {
                    throw new ModelLoadException(describe() + ": tensors '" + previous.name() + "' and '" + name
                            + "' both stand for '" + target.key() + "'");
                }
            }, () -> unknown.add(name));
        }
        if (!unknown.isEmpty()) {
            throw new ModelLoadException(describe() + ": " + unknown.size() + " tensors have no place in "
                    + keyMap.describe() + ", e.g. " + String.join(", ", unknown.subList(0, Math.min(5, unknown.size())))
                    + " (wrong config for this checkpoint?)");
        }
        this.byKey = Collections.unmodifiableMap(keys);
    }

    @Override
    public Set<String> keys() {
        return byKey.keySet();
    }

    @Override
    public long[] shape(String key) {
        Stored stored = stored(key);
        long[] shape = file.info(stored.name()).shape();
        return stored.convToLinear() ? linearShape(shape) : shape.clone();
    }

    @Override
    public DType storedType(String key) {
        return file.info(stored(key).name()).dtype();
    }

    @Override
    public NDArray load(String key, NDManager manager) {
        Stored stored = stored(key);
        NDArray array = file.load(stored.name(), manager);
        if (!stored.convToLinear()) {
            return array;
        }
        // A view of the loaded array; the original stays in the manager, which keeps a mapped buffer alive.
        return array.reshape(new Shape(linearShape(array.getShape().getShape())));
    }

    @Override
    public String describe() {
        return prefix.isEmpty() ? file.path().toString() : file.path() + " (tensors " + prefix + "*)";
    }

    private Stored stored(String key) {
        Stored stored = byKey.get(key);
        if (stored == null) {
            throw new ModelLoadException(describe() + ": no tensor '" + key + "'");
        }
        return stored;
    }

    /** A 1x1 convolution kernel [out, in, 1, 1] read as the linear weight [out, in]; other shapes stay as they are. */
    private static long[] linearShape(long[] shape) {
        boolean pointwise = shape.length > 2;
        for (int i = 2; i < shape.length; i++) {
            pointwise &= shape[i] == 1;
        }
        return pointwise ? Arrays.copyOf(shape, 2) : shape.clone();
    }
}

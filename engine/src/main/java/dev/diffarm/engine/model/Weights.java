package dev.diffarm.engine.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A strict walk over a {@link TensorSource}: modules take their tensors by key path, and {@link #finish}
 * fails if any tensor of the source was left untaken. A missing key fails at once, naming the key and the
 * source, so a wrong architecture never loads silently.
 *
 * <p>Floating-point tensors are handed out in the weights' element type on the manager's device. On the CPU in float32
 * a tensor is the source's array as it is (a memory-mapped file is not copied); otherwise it is read on the CPU,
 * converted there and copied to the device, so the device never holds a float32 copy it does not keep.
 */
public final class Weights {
    private final TensorSource source;
    private final NDManager manager;
    private final DataType type;
    private final String prefix;
    private final Set<String> taken;
    private final Map<String, NDArray> tensors;
    private final LayerIndex layers;

    /** Float32 weights in {@code manager}, on its device. */
    public Weights(TensorSource source, NDManager manager) {
        this(source, manager, DataType.FLOAT32);
    }

    /** Weights in {@code manager}, on its device, their floating-point tensors converted to {@code type}. */
    public Weights(TensorSource source, NDManager manager, DataType type) {
        this(source, manager, type, "", new TreeSet<>(), new LinkedHashMap<>(), new LayerIndex());
    }

    private Weights(TensorSource source, NDManager manager, DataType type, String prefix, Set<String> taken,
                    Map<String, NDArray> tensors, LayerIndex layers) {
        this.source = source;
        this.manager = manager;
        this.type = type;
        this.prefix = prefix;
        this.taken = taken;
        this.tensors = tensors;
        this.layers = layers;
    }

    /** The weights under {@code path} (a module's key path, such as {@code down_blocks.0}). */
    public Weights at(String path) {
        return new Weights(source, manager, type, prefix + path + ".", taken, tensors, layers);
    }

    public Weights at(String path, int index) {
        return at(path + "." + index);
    }

    /** True if the source has {@code name} under this path (for optional tensors such as biases). */
    public boolean has(String name) {
        return source.keys().contains(prefix + name);
    }

    /** True if any tensor lies under {@code path} (for optional sub-modules). */
    public boolean hasModule(String path) {
        String p = prefix + path + ".";
        return source.keys().stream().anyMatch(k -> k.startsWith(p));
    }

    /** Takes a tensor, checking its shape when {@code expectedShape} is given (-1 matches any size). */
    public NDArray take(String name, long... expectedShape) {
        String key = prefix + name;
        if (!source.keys().contains(key)) {
            throw new ModelLoadException(source.describe() + ": missing tensor '" + key + "'");
        }
        if (expectedShape.length > 0) {
            long[] actual = source.shape(key);
            boolean ok = actual.length == expectedShape.length;
            for (int i = 0; ok && i < actual.length; i++) {
                ok = expectedShape[i] < 0 || expectedShape[i] == actual[i];
            }
            if (!ok) {
                throw new ModelLoadException(source.describe() + ": tensor '" + key + "' has shape "
                        + Arrays.toString(actual) + ", expected " + Arrays.toString(expectedShape));
            }
        }
        taken.add(key);
        NDArray tensor = placed(key);
        tensors.put(key, tensor);
        return tensor;
    }

    /** The tensor {@code key} on the manager's device, floating point in {@link #type}. */
    private NDArray placed(String key) {
        boolean host = !manager.getDevice().isGpu();
        if (host && type == DataType.FLOAT32) {
            return source.load(key, manager);
        }
        try (NDManager scratch = NDManager.newBaseManager(Device.cpu())) {
            NDArray read = source.load(key, scratch);
            NDArray typed = read.getDataType().isFloating() ? read.toType(type, false) : read;
            NDArray placed = typed.toDevice(manager.getDevice(), false);
            // a conversion or copy is the scratch manager's; the source's own array is not to be kept past it
            if (placed == read) {
                placed = read.duplicate();
            }
            placed.attach(manager);
            return placed;
        }
    }

    /** The element type floating-point tensors are handed out in. */
    public DataType type() {
        return type;
    }

    /** Marks a tensor as deliberately unused (a buffer the computation rebuilds itself), if present. */
    public void ignore(String name) {
        if (has(name)) {
            taken.add(prefix + name);
        }
    }

    /** Shape of a tensor under this path, without taking it. */
    public long[] shape(String name) {
        String key = prefix + name;
        if (!source.keys().contains(key)) {
            throw new ModelLoadException(source.describe() + ": missing tensor '" + key + "'");
        }
        return source.shape(key);
    }

    /** Fails if the source holds tensors that no module took, naming a few of them. */
    public void finish() {
        Set<String> unused = new TreeSet<>(source.keys());
        unused.removeAll(taken);
        if (!unused.isEmpty()) {
            throw new ModelLoadException(source.describe() + ": " + unused.size() + " tensors match no layer of the model, e.g. "
                    + String.join(", ", unused.stream().limit(5).toList()));
        }
    }

    /**
     * Every tensor taken so far by the modules built from these weights (from the root down), by its full key, in the
     * order taken: the very arrays the modules compute with, so that training can update them in place.
     */
    public Map<String, NDArray> tensors() {
        return Collections.unmodifiableMap(tensors);
    }

    public NDManager manager() {
        return manager;
    }

    /**
     * Records {@code layer} in {@link #layers()} under this path (its module's key path, without the trailing
     * dot), so that LoRA can reach it by name.
     */
    public void register(WeightedLayer layer) {
        if (prefix.isEmpty()) {
            throw new IllegalStateException("a layer needs a key path; register it from the Weights at its module");
        }
        layers.add(prefix.substring(0, prefix.length() - 1), layer);
    }

    /** The layers registered so far by every module built from these weights (from the root down). */
    public LayerIndex layers() {
        return layers;
    }
}

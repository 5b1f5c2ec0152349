package dev.diffarm.engine.model;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The {@link WeightedLayer}s of one model component by their diffusers key path (such as
 * {@code down_blocks.0.attentions.0.proj_in}), in the order they were built: how LoRA finds the layers its keys name.
 * {@link Weights} fills it as the component is built.
 */
public final class LayerIndex {
    private final Map<String, WeightedLayer> byPath = new LinkedHashMap<>();

    void add(String path, WeightedLayer layer) {
        WeightedLayer previous = byPath.putIfAbsent(path, layer);
        if (previous != null && previous != layer) {
            throw new IllegalStateException("two layers registered under '" + path + "'");
        }
    }

    /** The layer at {@code path}, if the component has one there. */
    public Optional<WeightedLayer> find(String path) {
        return Optional.ofNullable(byPath.get(path));
    }

    /** Every registered path, in build order. */
    public Set<String> paths() {
        return Collections.unmodifiableSet(byPath.keySet());
    }

    public int size() {
        return byPath.size();
    }
}

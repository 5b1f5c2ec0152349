package dev.diffarm.daemon.render;

import java.util.List;
import java.util.Optional;

/** The models loaded on this node's devices: one {@link ModelCache} per worker, for the catalog and health answers. */
public final class LoadedModels {
    private final List<ModelCache> caches;

    public LoadedModels(List<ModelCache> caches) {
        this.caches = List.copyOf(caches);
    }

    /** The model each device has loaded, in the order of the devices; empty where a device has none. */
    public List<Optional<String>> byDevice() {
        return caches.stream().map(ModelCache::loadedName).toList();
    }

    /** The model of the first device that has one loaded: the "current model" of APIs that know one device. */
    public Optional<String> first() {
        return caches.stream().map(ModelCache::loadedName).flatMap(Optional::stream).findFirst();
    }
}

package dev.diffarm.daemon.render;

import ai.djl.Device;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.engine.upscale.ImageUpscaler;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One worker's upscaler, kept loaded between tasks as its {@link ModelCache} keeps its model: the pictures of an
 * upscale job, and the next job with the same upscaler, run on the network loaded for the first. A lease for another
 * upscaler, another tiling, or a model file replaced in the folder since closes it and loads that one. Used by one
 * worker at a time.
 */
public final class UpscalerCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UpscalerCache.class);

    private final UpscalerCatalog catalog;
    private final Device device;
    private Loaded loaded;

    private record Loaded(String identity, Tiling tiling, ImageUpscaler upscaler) {
    }

    /** Networks on the CPU. */
    public UpscalerCache(UpscalerCatalog catalog) {
        this(catalog, Device.cpu());
    }

    /** Networks loaded onto {@code device}: the worker's. */
    public UpscalerCache(UpscalerCatalog catalog, Device device) {
        this.catalog = catalog;
        this.device = device;
    }

    /**
     * The upscaler {@code name} names with {@code tiling}, loaded; valid until the next lease asks for another one.
     * The caller does not close it.
     *
     * @param field the job's field, named in errors
     * @throws RenderException as {@link UpscalerCatalog#open}
     */
    public synchronized ImageUpscaler lease(String field, String name, Tiling tiling) {
        Optional<String> identity = catalog.identity(name);
        if (loaded != null && identity.isPresent() && loaded.identity().equals(identity.get())
                && loaded.tiling().equals(tiling)) {
            return loaded.upscaler();
        }
        unload();
        ImageUpscaler upscaler = catalog.open(field, name, tiling, device);
        // identity is present here: open refuses a name that is neither a resampler nor a model
        loaded = new Loaded(identity.orElse(name), tiling, upscaler);
        LOG.debugf("loaded upscaler %s", upscaler);
        return upscaler;
    }

    private void unload() {
        if (loaded != null) {
            loaded.upscaler().close();
            loaded = null;
        }
    }

    @Override
    public synchronized void close() {
        unload();
    }
}

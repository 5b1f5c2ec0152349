package dev.diffarm.daemon.render;

import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.engine.upscale.ImageUpscaler;
import dev.diffarm.engine.upscale.sd.SdUpscaler;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * One worker's upscaler, kept loaded between tasks as its {@link ModelCache} keeps its model: the pictures of an
 * upscale job, and the next job with the same upscaler, run on the network loaded for the first. An image upscaler
 * and an SD x4 upscaler share the one place, so a worker holds one upscaler at a time. A lease for another upscaler,
 * another tiling, or a model file (or folder) replaced since closes it and loads that one. Used by one worker at a
 * time.
 */
public final class UpscalerCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(UpscalerCache.class);

    private final UpscalerCatalog catalog;
    private Loaded loaded;

    /** @param tiling an image upscaler's tiling; empty for an SD x4 upscaler */
    private record Loaded(String identity, Optional<Tiling> tiling, AutoCloseable upscaler) {
    }

    public UpscalerCache(UpscalerCatalog catalog) {
        this.catalog = catalog;
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
        if (holds(identity, Optional.of(tiling)) && loaded.upscaler() instanceof ImageUpscaler upscaler) {
            return upscaler;
        }
        unload();
        ImageUpscaler upscaler = catalog.open(field, name, tiling);
        // identity is present here: open refuses a name that is neither a resampler nor a model
        loaded = new Loaded(identity.orElse(name), Optional.of(tiling), upscaler);
        LOG.debugf("loaded upscaler %s", upscaler);
        return upscaler;
    }

    /**
     * The SD x4 upscaler {@code name} names, loaded; valid until the next lease asks for another upscaler. The caller
     * does not close it.
     *
     * @param field the job's field, named in errors
     * @throws RenderException as {@link UpscalerCatalog#openSdUpscaler}
     */
    public synchronized SdUpscaler leaseSdUpscaler(String field, String name) {
        Optional<String> identity = catalog.identity(name);
        if (holds(identity, Optional.empty()) && loaded.upscaler() instanceof SdUpscaler upscaler) {
            return upscaler;
        }
        unload();
        SdUpscaler upscaler = catalog.openSdUpscaler(field, name);
        loaded = new Loaded(identity.orElse(name), Optional.empty(), upscaler);
        LOG.debugf("loaded %s", upscaler);
        return upscaler;
    }

    /** Whether {@code name} is an SD x4 upscaler of the node ({@link #leaseSdUpscaler} loads it). */
    public boolean isSdUpscaler(String name) {
        return catalog.isSdUpscaler(name);
    }

    private boolean holds(Optional<String> identity, Optional<Tiling> tiling) {
        return loaded != null && identity.isPresent() && loaded.identity().equals(identity.get())
                && loaded.tiling().equals(tiling);
    }

    private void unload() {
        if (loaded != null) {
            try {
                loaded.upscaler().close();
            } catch (Exception e) {
                // ImageUpscaler and SdUpscaler close without checked exceptions: this is a bug, not an input
                throw new IllegalStateException("cannot close the upscaler " + loaded.upscaler() + ": " + e, e);
            } finally {
                loaded = null;
            }
        }
    }

    @Override
    public synchronized void close() {
        unload();
    }
}

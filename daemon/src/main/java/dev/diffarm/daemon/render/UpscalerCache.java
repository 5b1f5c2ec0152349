package dev.diffarm.daemon.render;

import ai.djl.Device;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.engine.upscale.ImageUpscaler;
import dev.diffarm.engine.upscale.sd.SdUpscaler;
import java.util.function.Supplier;

/**
 * One worker's upscalers, kept loaded between tasks in its {@link LoadedWeights} as its models are: the pictures of an
 * upscale job, and the next job with the same upscaler, run on the network loaded for the first. The networks share
 * the worker's one budget with its models and ControlNets (an upscaler model's estimate is its file's size, an SD x4
 * upscaler's its folder's; a resampler takes nothing); another upscaler or another tiling is another entry, and a model
 * file (or folder) replaced since is loaded again. Used by one worker at a time.
 */
public final class UpscalerCache implements AutoCloseable {
    /** The stamp of an SD x4 upscaler's entry, which no tiling changes. */
    private static final String SD_UPSCALER_STAMP = "sd-x4";

    private final UpscalerCatalog catalog;
    private final LoadedWeights weights;
    private final boolean ownWeights;
    /** Where its networks are loaded: the worker's device. */
    private final Device device;
    /** What a lease handed out last, in use until the next lease. */
    private LoadedWeights.Lease<? extends AutoCloseable> current;

    /** A cache with weights of its own, within one worker's {@linkplain ModelCache#defaultBudget default budget}. */
    public UpscalerCache(UpscalerCatalog catalog) {
        this(catalog, new LoadedWeights(ModelCache.defaultBudget(1)), true, Device.cpu());
    }

    /** @param weights the worker's loaded weights ({@link ModelCache#weights}), where its upscalers are kept */
    public UpscalerCache(UpscalerCatalog catalog, LoadedWeights weights) {
        this(catalog, weights, false, Device.cpu());
    }

    /**
     * @param weights the worker's loaded weights ({@link ModelCache#weights}), where its upscalers are kept
     * @param device  where its image upscalers' networks are loaded: the worker's device
     */
    public UpscalerCache(UpscalerCatalog catalog, LoadedWeights weights, Device device) {
        this(catalog, weights, false, device);
    }

    private UpscalerCache(UpscalerCatalog catalog, LoadedWeights weights, boolean ownWeights, Device device) {
        this.catalog = catalog;
        this.weights = weights;
        this.ownWeights = ownWeights;
        this.device = device;
    }

    /**
     * The upscaler {@code name} names with {@code tiling}, loaded; in use (never freed) until the next lease. The
     * caller does not close it.
     *
     * @param field the job's field, named in errors
     * @throws RenderException as {@link UpscalerCatalog#open}
     */
    public synchronized ImageUpscaler lease(String field, String name, Tiling tiling) {
        LoadedWeights.Lease<ImageUpscaler> lease = use(name, tiling.toString(), () -> catalog.open(field, name, tiling, device));
        return lease.value();
    }

    /**
     * The SD x4 upscaler {@code name} names, loaded; in use (never freed) until the next lease. The caller does not
     * close it.
     *
     * @param field the job's field, named in errors
     * @throws RenderException as {@link UpscalerCatalog#openSdUpscaler}
     */
    public synchronized SdUpscaler leaseSdUpscaler(String field, String name) {
        LoadedWeights.Lease<SdUpscaler> lease = use(name, SD_UPSCALER_STAMP, () -> catalog.openSdUpscaler(field, name));
        return lease.value();
    }

    /** Whether {@code name} is an SD x4 upscaler of the node ({@link #leaseSdUpscaler} loads it). */
    public boolean isSdUpscaler(String name) {
        return catalog.isSdUpscaler(name);
    }

    private <T extends AutoCloseable> LoadedWeights.Lease<T> use(String name, String stamp,
            Supplier<T> loader) {
        // An unknown name has no identity: the loader refuses it, and nothing is kept.
        String identity = catalog.identity(name).orElse("unknown " + name);
        // Released first, so that it can make room; the same upscaler, still loaded, is found again.
        release();
        LoadedWeights.Lease<T> lease = weights.use(new LoadedWeights.Key(LoadedWeights.Kind.UPSCALER, identity, stamp),
                catalog.estimatedBytes(name), loader);
        current = lease;
        return lease;
    }

    private void release() {
        if (current != null) {
            current.close();
            current = null;
        }
    }

    /** Lets the upscaler leased last go (it stays loaded while the budget allows); frees them all if the weights are its own. */
    @Override
    public synchronized void close() {
        release();
        if (ownWeights) {
            weights.close();
        }
    }
}

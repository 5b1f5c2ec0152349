package dev.diffarm.daemon.render;

import dev.diffarm.engine.clip.TokenizerException;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.device.Precision;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.safetensors.SafetensorsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Keeps one device's models loaded between tasks (model affinity): a task for a loaded model starts at once. The
 * models stay loaded in the device's {@link LoadedWeights}, beside its ControlNets ({@link #controlNets}) and upscaler
 * networks ({@link UpscalerCache} over {@link #weights}), all within one budget of estimated bytes
 * ({@value #BUDGET_SETTING}): to load another model, the entries of any kind used longest ago are freed until it fits,
 * except those {@linkplain #use in use}, which are never freed (a model larger than the budget still loads, with the
 * others it cannot free, and the cache is over its budget until they are released). A model's estimate is the size of
 * its weight files; a float16 checkpoint widened to float32 takes about twice that. A model whose weight files changed
 * on disk is loaded again. One cache per device, used by its worker.
 */
public final class ModelCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelCache.class);
    /** The setting of each worker's budget. */
    public static final String BUDGET_SETTING = "DIFFARM_MODEL_CACHE_BYTES";

    private final ModelDirectory models;
    private final TokenizerLocator tokenizers;
    private final Optional<StoreBackedCatalog> store;
    private final LoadedWeights weights;
    private final KeptControlNets controlNets;
    /** The device and precision this cache's worker loads its models (and their ControlNets) onto. */
    private final Placement placement;
    /** What {@link #lease} handed out last, in use until the next lease asks for another model. */
    private Lease current;

    /**
     * A model ready to render.
     *
     * @param model     the weights
     * @param shortHash AUTOMATIC1111's model hash, computed once per load
     */
    public record LoadedModel(StableDiffusion model, String shortHash) {
    }

    /** A loaded model and its place in the store cache, kept (not evicted from the node's disk) while it is loaded. */
    private record Held(LoadedModel model, StoreBackedCatalog.InUse inStoreCache) implements AutoCloseable {
        @Override
        public void close() {
            LOG.infof("unloading model %s", model.model().name());
            model.model().close();
            inStoreCache.close();
        }
    }

    /** A model in use: not unloaded until closed. */
    public static final class Lease implements AutoCloseable {
        private final LoadedWeights.Lease<Held> held;

        private Lease(LoadedWeights.Lease<Held> held) {
            this.held = held;
        }

        public LoadedModel model() {
            return held.value().model();
        }

        @Override
        public void close() {
            held.close();
        }
    }

    /** A cache of the models in the node's own folder, within {@link #defaultBudget the default budget} of one worker. */
    public ModelCache(ModelDirectory models, TokenizerLocator tokenizers) {
        this(models, tokenizers, Optional.empty());
    }

    /** A cache that also fetches a model the folder lacks from the farm's store into the folder. */
    public ModelCache(ModelDirectory models, TokenizerLocator tokenizers, Optional<StoreBackedCatalog> store) {
        this(models, tokenizers, store, defaultBudget(1));
    }

    /**
     * @param store       the farm's store, from which a model the folder lacks is fetched into the folder
     * @param budgetBytes the most the loaded models may take together, estimated
     */
    public ModelCache(ModelDirectory models, TokenizerLocator tokenizers, Optional<StoreBackedCatalog> store,
                      long budgetBytes) {
        this(models, tokenizers, store, budgetBytes, Placement.cpu());
    }

    /** As {@link #ModelCache(ModelDirectory, TokenizerLocator, Optional, long)}, loading onto {@code placement}. */
    public ModelCache(ModelDirectory models, TokenizerLocator tokenizers, Optional<StoreBackedCatalog> store,
                      long budgetBytes, Placement placement) {
        this.models = models;
        this.tokenizers = tokenizers;
        this.store = store;
        this.weights = new LoadedWeights(budgetBytes);
        this.placement = placement;
        this.controlNets = new KeptControlNets(weights, placement);
    }

    /** Where this cache's models are loaded. */
    public Placement placement() {
        return placement;
    }

    /** A quarter of the machine's memory, shared by {@code workers} workers: the rest is for images, the JVM, the system. */
    public static long defaultBudget(int workers) {
        return dev.diffarm.daemon.job.NodeBudget.halfOfMemory() / 2 / Math.max(1, workers);
    }

    /**
     * The model called {@code name}, loaded; valid until the next call asks for another model (which releases it: it
     * stays loaded while the budget allows).
     *
     * @throws RenderException ({@value RenderException#MODEL_UNAVAILABLE}) if there is no such model or it
     *                         cannot be loaded
     */
    public synchronized LoadedModel lease(String name) {
        return lease(name, placement);
    }

    /**
     * As {@link #lease}, the model in float32 on this cache's device: training computes its gradients in float32
     * whatever the renders compute in, so on a worker whose models are half precision (a GPU's default) a training job
     * gets a float32 copy of its own, kept and freed within the same budget as any model.
     */
    public synchronized LoadedModel leaseForTraining(String name) {
        return lease(name, new Placement(placement.device(), Precision.FP32));
    }

    private LoadedModel lease(String name, Placement where) {
        // Released first, so that it can make room; the same model, still loaded, is found again.
        if (current != null) {
            current.close();
            current = null;
        }
        current = use(name, where);
        return current.model();
    }

    /**
     * The model called {@code name}, loaded (first unloading the models used longest ago that are not in use until its
     * estimate fits the budget) and in use until the lease is closed.
     *
     * @throws RenderException ({@value RenderException#MODEL_UNAVAILABLE}) if there is no such model or it
     *                         cannot be loaded
     */
    public synchronized Lease use(String name) {
        return use(name, placement);
    }

    private Lease use(String name, Placement where) {
        StoreBackedCatalog.InUse inStoreCache = store.map(catalog -> catalog.use(StoreBackedCatalog.Kind.MODEL, name))
                .orElse(StoreBackedCatalog.InUse.NOTHING);
        boolean kept = false;
        try {
            if (models.find(name).isEmpty()) {
                store.ifPresent(catalog -> catalog.fetch(StoreBackedCatalog.Kind.MODEL, name));
            }
            ModelDirectory.Model model = models.find(name).orElseThrow(() -> new RenderException(
                    RenderException.MODEL_UNAVAILABLE, "model \"" + name + "\" is not in " + models.dir(), null));
            LoadedWeights.WeightFiles files = weightFiles(model.path());
            // A copy in another precision than the cache's is an entry of its own (not a stale one of the same name),
            // and affinity, which matches renders by name, does not count it.
            String entry = where.equals(placement) ? name : name + " in " + where;
            LoadedWeights.Key key = new LoadedWeights.Key(LoadedWeights.Kind.MODEL, entry, files.stamp());
            boolean[] loadedNow = {false};
            LoadedWeights.Lease<Held> held = weights.use(key, files.bytes(), () -> {
                Held loaded = new Held(load(name, model, where), inStoreCache);
                loadedNow[0] = true;
                return loaded;
            });
            kept = loadedNow[0];
            return new Lease(held);
        } finally {
            if (!kept) {
                // loaded before (its entry holds its own place in the store cache), or not loaded at all
                inStoreCache.close();
            }
        }
    }

    private LoadedModel load(String name, ModelDirectory.Model model, Placement where) {
        long start = System.nanoTime();
        StableDiffusion weights;
        try {
            weights = StableDiffusion.load(model.path(), Optional.empty(), Optional.empty(), tokenizers, where);
        } catch (ModelLoadException | TokenizerException | SafetensorsException | UncheckedIOException e) {
            throw new RenderException(RenderException.MODEL_UNAVAILABLE,
                    "model \"" + name + "\" (" + model.path() + ") cannot be loaded: " + e.getMessage(), e);
        }
        LoadedModel ready;
        try {
            ready = new LoadedModel(weights, ModelHash.shortHash(model.path()));
        } catch (IOException e) {
            weights.close();
            throw new RenderException(RenderException.MODEL_UNAVAILABLE,
                    "model \"" + name + "\" (" + model.path() + ") cannot be read: " + e, e);
        }
        LOG.infof("loaded model %s from %s in %.1f s", name, model.path(), (System.nanoTime() - start) / 1e9);
        return ready;
    }

    /** The bytes of a model's weight files (a checkpoint file, or those in a diffusers folder, links followed). */
    static long estimatedBytes(Path model) {
        return weightFiles(model).bytes();
    }

    private static LoadedWeights.WeightFiles weightFiles(Path model) {
        try {
            return LoadedWeights.files(model);
        } catch (UncheckedIOException e) {
            throw new RenderException(RenderException.MODEL_UNAVAILABLE, "model " + model + " cannot be read: "
                    + e.getMessage(), e);
        }
    }

    /** The device's ControlNets, kept loaded between its renders within the models' budget. */
    public KeptControlNets controlNets() {
        return controlNets;
    }

    /** The device's loaded weights of every kind, under the one budget: upscaler networks are kept there too. */
    public LoadedWeights weights() {
        return weights;
    }

    /** The name of the model used last, if one is loaded. */
    public synchronized Optional<String> loadedName() {
        List<String> names = loadedNames();
        return names.isEmpty() ? Optional.empty() : Optional.of(names.get(names.size() - 1));
    }

    /** The loaded models, used longest ago first. */
    public synchronized List<String> loadedNames() {
        return weights.names(LoadedWeights.Kind.MODEL);
    }

    /** Frees every model, ControlNet and upscaler network of the device. */
    @Override
    public synchronized void close() {
        current = null;
        weights.close();
    }
}

package dev.diffarm.daemon.render;

import dev.diffarm.engine.clip.TokenizerException;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.safetensors.SafetensorsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Keeps one device's models loaded between tasks (model affinity): a task for a loaded model starts at once. The
 * models loaded stay within a budget of estimated bytes ({@value #BUDGET_SETTING}) rather than a count: to load another,
 * the models used longest ago are unloaded until it fits, except those {@linkplain #use in use}, which are never
 * unloaded (a model larger than the budget still loads, with the others it cannot unload, and the cache is over its
 * budget until they are released). A model's estimate is the size of its weight files; a float16 checkpoint widened to
 * float32 takes about twice that. One cache per device, used by its worker; the device's ControlNets are kept beside
 * its models ({@link #controlNets}).
 */
public final class ModelCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelCache.class);
    /** The setting of each worker's budget. */
    public static final String BUDGET_SETTING = "DIFFARM_MODEL_CACHE_BYTES";
    private static final List<String> WEIGHT_SUFFIXES = List.of(".safetensors", ".bin", ".ckpt", ".pt", ".pth");

    private final ModelDirectory models;
    private final TokenizerLocator tokenizers;
    private final Optional<StoreBackedCatalog> store;
    /** How many ControlNets no render uses stay loaded on a device (an SD 1.5 one takes some 1.4 GB). */
    static final int KEPT_CONTROLNETS = 2;

    private final KeptControlNets controlNets;
    /** The device and precision this cache's worker loads its models (and their ControlNets) onto. */
    private final Placement placement;
    private final long budgetBytes;
    /** The loaded models by name, used longest ago first. */
    private final Map<String, Entry> loaded = new LinkedHashMap<>(8, 0.75f, true);
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

    /** A loaded model, its estimated bytes, how many use it now, and its place in the store cache (kept while loaded). */
    private static final class Entry {
        final LoadedModel model;
        final long bytes;
        final StoreBackedCatalog.InUse inStoreCache;
        int users;

        Entry(LoadedModel model, long bytes, StoreBackedCatalog.InUse inStoreCache) {
            this.model = model;
            this.bytes = bytes;
            this.inStoreCache = inStoreCache;
        }
    }

    /** A model in use: not unloaded until closed. */
    public final class Lease implements AutoCloseable {
        private final String name;
        private final Entry entry;
        private boolean closed;

        private Lease(String name, Entry entry) {
            this.name = name;
            this.entry = entry;
        }

        public LoadedModel model() {
            return entry.model;
        }

        @Override
        public void close() {
            synchronized (ModelCache.this) {
                if (!closed) {
                    closed = true;
                    entry.users--;
                }
            }
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
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException(BUDGET_SETTING + " = " + budgetBytes + ": expected a number of bytes above 0");
        }
        this.models = models;
        this.tokenizers = tokenizers;
        this.store = store;
        this.budgetBytes = budgetBytes;
        this.placement = placement;
        this.controlNets = new KeptControlNets(KEPT_CONTROLNETS, placement);
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
        if (current != null && current.name.equals(name)) {
            return current.model();
        }
        if (current != null) {
            current.close();
            current = null;
        }
        current = use(name);
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
        Entry entry = loaded.get(name);
        if (entry == null) {
            entry = load(name);
            loaded.put(name, entry);
        }
        entry.users++;
        return new Lease(name, entry);
    }

    private Entry load(String name) {
        StoreBackedCatalog.InUse inUse = store.map(catalog -> catalog.use(StoreBackedCatalog.Kind.MODEL, name))
                .orElse(StoreBackedCatalog.InUse.NOTHING);
        try {
            if (models.find(name).isEmpty()) {
                store.ifPresent(catalog -> catalog.fetch(StoreBackedCatalog.Kind.MODEL, name));
            }
            ModelDirectory.Model model = models.find(name).orElseThrow(() -> new RenderException(
                    RenderException.MODEL_UNAVAILABLE, "model \"" + name + "\" is not in " + models.dir(), null));
            long bytes = estimatedBytes(model.path());
            makeRoom(bytes);
            return new Entry(load(name, model), bytes, inUse);
        } catch (RuntimeException e) {
            inUse.close();
            throw e;
        }
    }

    /** Unloads the models used longest ago that are not in use until {@code incoming} more bytes fit the budget. */
    private void makeRoom(long incoming) {
        long total = loaded.values().stream().mapToLong(entry -> entry.bytes).sum();
        for (var it = loaded.entrySet().iterator(); it.hasNext() && total + incoming > budgetBytes; ) {
            Map.Entry<String, Entry> eldest = it.next();
            if (eldest.getValue().users > 0) {
                continue;
            }
            LOG.infof("unloading model %s (%d bytes estimated) to make room for %d within %s = %d", eldest.getKey(),
                    eldest.getValue().bytes, incoming, BUDGET_SETTING, budgetBytes);
            unload(eldest.getValue());
            it.remove();
            total -= eldest.getValue().bytes;
        }
        if (total + incoming > budgetBytes) {
            LOG.warnf("the models in use take %d bytes and the next needs %d: over %s = %d until they are released",
                    total, incoming, BUDGET_SETTING, budgetBytes);
        }
    }

    private LoadedModel load(String name, ModelDirectory.Model model) {
        long start = System.nanoTime();
        StableDiffusion weights;
        try {
            weights = StableDiffusion.load(model.path(), Optional.empty(), Optional.empty(), tokenizers, placement);
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
        try (Stream<Path> files = Files.walk(model, FileVisitOption.FOLLOW_LINKS)) {
            long bytes = 0;
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String name = file.getFileName().toString();
                if (WEIGHT_SUFFIXES.stream().anyMatch(name::endsWith)) {
                    bytes += Files.size(file);
                }
            }
            return bytes;
        } catch (IOException | UncheckedIOException e) {
            throw new RenderException(RenderException.MODEL_UNAVAILABLE, "model " + model + " cannot be read: " + e, e);
        }
    }

    /** The device's ControlNets, kept loaded between its renders as its models are. */
    public KeptControlNets controlNets() {
        return controlNets;
    }

    /** The name of the model used last, if one is loaded. */
    public synchronized Optional<String> loadedName() {
        List<String> names = loadedNames();
        return names.isEmpty() ? Optional.empty() : Optional.of(names.get(names.size() - 1));
    }

    /** The loaded models, used longest ago first. */
    public synchronized List<String> loadedNames() {
        return new ArrayList<>(loaded.keySet());
    }

    private static void unload(Entry entry) {
        LOG.infof("unloading model %s", entry.model.model().name());
        entry.model.model().close();
        entry.inStoreCache.close();
    }

    @Override
    public synchronized void close() {
        loaded.values().forEach(ModelCache::unload);
        loaded.clear();
        current = null;
        controlNets.close();
    }
}

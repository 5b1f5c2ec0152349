package dev.diffarm.daemon.render;

import dev.diffarm.engine.clip.TokenizerException;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.safetensors.SafetensorsException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Keeps one device's model loaded between tasks (model affinity): a task for the loaded model starts at
 * once; a task for another model closes it and loads that one. One cache per device, used by its worker; the
 * device's ControlNets are kept beside the model ({@link #controlNets}).
 */
public final class ModelCache implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ModelCache.class);

    private final ModelDirectory models;
    private final TokenizerLocator tokenizers;
    private final Optional<StoreBackedCatalog> store;
    /** How many ControlNets no render uses stay loaded on a device (an SD 1.5 one takes some 1.4 GB). */
    static final int KEPT_CONTROLNETS = 2;

    private final KeptControlNets controlNets = new KeptControlNets(KEPT_CONTROLNETS);
    private LoadedModel loaded;
    /** The loaded model, in use in the farm-wide catalog's cache (not evicted while loaded). */
    private StoreBackedCatalog.InUse loadedInUse = StoreBackedCatalog.InUse.NOTHING;

    /**
     * A model ready to render.
     *
     * @param model     the weights
     * @param shortHash AUTOMATIC1111's model hash, computed once per load
     */
    public record LoadedModel(StableDiffusion model, String shortHash) {
    }

    /** A cache of the models in the node's own folder. */
    public ModelCache(ModelDirectory models, TokenizerLocator tokenizers) {
        this(models, tokenizers, Optional.empty());
    }

    /** A cache that also fetches a model the folder lacks from the farm's store into the folder. */
    public ModelCache(ModelDirectory models, TokenizerLocator tokenizers, Optional<StoreBackedCatalog> store) {
        this.models = models;
        this.tokenizers = tokenizers;
        this.store = store;
    }

    /**
     * The model called {@code name}, loaded; valid until the next call asks for another model.
     *
     * @throws RenderException ({@value RenderException#MODEL_UNAVAILABLE}) if there is no such model or it
     *                         cannot be loaded
     */
    public synchronized LoadedModel lease(String name) {
        if (loaded != null && loaded.model().name().equals(name)) {
            return loaded;
        }
        StoreBackedCatalog.InUse inUse = store.map(catalog -> catalog.use(StoreBackedCatalog.Kind.MODEL, name))
                .orElse(StoreBackedCatalog.InUse.NOTHING);
        try {
            if (models.find(name).isEmpty()) {
                store.ifPresent(catalog -> catalog.fetch(StoreBackedCatalog.Kind.MODEL, name));
            }
            ModelDirectory.Model model = models.find(name).orElseThrow(() -> new RenderException(
                    RenderException.MODEL_UNAVAILABLE, "model \"" + name + "\" is not in " + models.dir(), null));
            unload();
            loaded = load(name, model);
            loadedInUse = inUse;
            return loaded;
        } catch (RuntimeException e) {
            inUse.close();
            throw e;
        }
    }

    private LoadedModel load(String name, ModelDirectory.Model model) {
        long start = System.nanoTime();
        StableDiffusion weights;
        try {
            weights = StableDiffusion.load(model.path(), Optional.empty(), Optional.empty(), tokenizers);
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

    /** The device's ControlNets, kept loaded between its renders as its model is. */
    public KeptControlNets controlNets() {
        return controlNets;
    }

    /** The name of the loaded model, if one is. */
    public synchronized Optional<String> loadedName() {
        return Optional.ofNullable(loaded).map(model -> model.model().name());
    }

    private void unload() {
        if (loaded != null) {
            LOG.infof("unloading model %s", loaded.model().name());
            loaded.model().close();
            loaded = null;
            loadedInUse.close();
            loadedInUse = StoreBackedCatalog.InUse.NOTHING;
        }
    }

    @Override
    public synchronized void close() {
        unload();
        controlNets.close();
    }
}

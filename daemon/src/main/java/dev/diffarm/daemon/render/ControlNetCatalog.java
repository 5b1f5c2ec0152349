package dev.diffarm.daemon.render;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.engine.control.ControlPreprocessors;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The ControlNet models a job's units may name (the {@link ControlNetDirectory}, and with a {@link StoreBackedCatalog}
 * the farm's store's {@code controlnet/}, fetched into that folder when a task needs one) and the control
 * preprocessors of the plugins (by name or alias, case ignored, as the engine finds them), for the job's validation and
 * its tasks.
 */
public final class ControlNetCatalog {
    private final ControlNetDirectory models;
    private final Supplier<ControlPreprocessors> preprocessors;
    private final Optional<StoreBackedCatalog> store;

    /** @param preprocessors the preprocessor plugins as loaded now (a jar dropped in is found at the next lookup) */
    public ControlNetCatalog(ControlNetDirectory models, Supplier<ControlPreprocessors> preprocessors) {
        this(models, preprocessors, Optional.empty());
    }

    /**
     * @param store the farm-wide catalog, whose ControlNets the node fetches into {@code models}' folder (the store
     *              catalog's {@link StoreBackedCatalog.Folders#controlNets} is that folder)
     */
    public ControlNetCatalog(ControlNetDirectory models, Supplier<ControlPreprocessors> preprocessors,
                             Optional<StoreBackedCatalog> store) {
        this.models = models;
        this.preprocessors = preprocessors;
        this.store = store;
    }

    /** The node's ControlNets and the store's, sorted, each once. */
    public List<String> modelNames() {
        TreeSet<String> names = new TreeSet<>(models.names());
        store.ifPresent(catalog -> names.addAll(catalog.names(StoreBackedCatalog.Kind.CONTROLNET)));
        return List.copyOf(names);
    }

    /** The names only the store holds, sorted: the node fetches one when a task names it. */
    public List<String> storeOnlyNames() {
        List<String> local = models.names();
        return store.map(catalog -> catalog.names(StoreBackedCatalog.Kind.CONTROLNET).stream()
                .filter(name -> !local.contains(name)).toList()).orElse(List.of());
    }

    /** Whether the node's folder or the farm's store has the ControlNet {@code name}. */
    public boolean knowsModel(String name) {
        return models.find(name).isPresent()
                || store.map(catalog -> catalog.has(StoreBackedCatalog.Kind.CONTROLNET, name)).orElse(false);
    }

    /** Every preprocessor's name (not its aliases), sorted. */
    public List<String> preprocessorNames() {
        return preprocessors.get().names();
    }

    public boolean knowsPreprocessor(String name) {
        try {
            preprocessors.get().named(name);
            return true;
        } catch (IllegalArgumentException unknown) {
            return false;
        }
    }

    /**
     * The file or folder of the ControlNet {@code name}: the node's, else the store's fetched now (a render fetched its
     * units' already, and keeps them in use: {@link StoreBackedCatalog#fetchFor}).
     *
     * @param field the job's field, named in errors ({@code controlnets[0].model})
     * @throws RenderException ({@value RenderException#INPUT_UNAVAILABLE}) listing the farm's ControlNets when neither
     *                         has such one
     */
    public Path model(String field, String name) {
        return models.find(name).or(() -> {
            store.ifPresent(catalog -> catalog.fetch(StoreBackedCatalog.Kind.CONTROLNET, name));
            return models.find(name);
        }).orElseThrow(() -> new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \"" + name
                + "\": no such ControlNet in " + models.dir() + (store.isPresent() ? " or the farm's store" : "")
                + "; the farm has " + modelNames(), null));
    }

    /**
     * The preprocessor {@code name} selects.
     *
     * @throws RenderException ({@value RenderException#INPUT_UNAVAILABLE}) listing the known ones when no plugin has it
     */
    public ControlPreprocessor preprocessor(String field, String name) {
        try {
            return preprocessors.get().named(name);
        } catch (IllegalArgumentException e) {
            throw new RenderException(RenderException.INPUT_UNAVAILABLE, field + ": " + e.getMessage(), e);
        }
    }
}

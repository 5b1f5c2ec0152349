package dev.diffarm.daemon.render;

import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.engine.upscale.ImageUpscaler;
import dev.diffarm.engine.upscale.Upscalers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The upscalers an upscale job may name: the resamplers of the upscaler plugins ({@code Lanczos}, {@code Nearest};
 * case ignored, as the plugins match them) and the model files of the {@link UpscalerDirectory}; with a
 * {@link StoreBackedCatalog}, also the farm's store's {@code upscalers/}, fetched into that folder when a task needs
 * one.
 */
public final class UpscalerCatalog {
    private final Supplier<Upscalers> plugins;
    private final UpscalerDirectory models;
    private final Optional<StoreBackedCatalog> store;

    /** @param plugins the upscaler plugins as loaded now (a jar dropped in is found at the next lookup) */
    public UpscalerCatalog(Supplier<Upscalers> plugins, UpscalerDirectory models) {
        this(plugins, models, Optional.empty());
    }

    /**
     * @param store the farm-wide catalog, whose upscaler models the node fetches into {@code models}' folder (the store
     *              catalog's {@link StoreBackedCatalog.Folders#upscalers} is that folder)
     */
    public UpscalerCatalog(Supplier<Upscalers> plugins, UpscalerDirectory models, Optional<StoreBackedCatalog> store) {
        this.plugins = plugins;
        this.models = models;
        this.store = store;
    }

    /** Every name a job may use: the resamplers', then the models' (the node's and the store's), each once. */
    public List<String> names() {
        TreeSet<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(plugins.get().names());
        names.addAll(models.names());
        store.ifPresent(catalog -> names.addAll(catalog.names(StoreBackedCatalog.Kind.UPSCALER)));
        return List.copyOf(names);
    }

    /** Whether {@code name} is a resampler, a model of the folder or one of the store. */
    public boolean knows(String name) {
        return plugins.get().resampler(name).isPresent() || models.find(name).isPresent()
                || store.map(catalog -> catalog.has(StoreBackedCatalog.Kind.UPSCALER, name)).orElse(false);
    }

    /** The model file {@code name} names: the folder's, else the store's fetched into the folder now. */
    private Optional<Path> modelFile(String name) {
        return models.find(name).or(() -> {
            store.ifPresent(catalog -> catalog.fetch(StoreBackedCatalog.Kind.UPSCALER, name));
            return models.find(name);
        });
    }

    /**
     * What {@code name} stands for now, for a cache to tell whether what it loaded is still that: a resampler's name, or
     * the model file's path, size and modification time (a file replaced in the folder is another model). Empty for a
     * name that is neither.
     */
    public Optional<String> identity(String name) {
        if (plugins.get().resampler(name).isPresent()) {
            return Optional.of("resampler " + name.toLowerCase(Locale.ROOT));
        }
        return modelFile(name).map(file -> {
            try {
                return "model " + file + " " + Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
            } catch (IOException e) {
                // gone or unreadable since it was found: the loader says why
                return "model " + file;
            }
        });
    }

    /**
     * What the network {@code name} names takes loaded, estimated: its model file's size; nothing for a resampler or a
     * name that is neither.
     */
    public long estimatedBytes(String name) {
        if (plugins.get().resampler(name).isPresent()) {
            return 0;
        }
        return models.find(name).map(file -> {
            try {
                return Files.size(file);
            } catch (IOException e) {
                // gone or unreadable since it was found: the loader says why
                return 0L;
            }
        }).orElse(0L);
    }

    /**
     * The upscaler {@code name} names, ready to run: a resampler, else the model file of that name loaded now (fetched
     * from the store first where the node lacks it; in use, not evicted from the node's cache, while it loads).
     *
     * @param field the job's field, named in errors
     * @throws RenderException ({@value RenderException#INPUT_UNAVAILABLE}) for a name that is neither, listing the
     *                         known ones, or a model file that cannot be loaded, saying why
     */
    public ImageUpscaler open(String field, String name, Tiling tiling) {
        Upscalers upscalers = plugins.get();
        try (StoreBackedCatalog.InUse loading = store.map(catalog -> catalog.use(StoreBackedCatalog.Kind.UPSCALER, name))
                .orElse(StoreBackedCatalog.InUse.NOTHING)) {
            Optional<String> nameOrFile = upscalers.resampler(name).isPresent() ? Optional.of(name)
                    : modelFile(name).map(Object::toString);
            if (nameOrFile.isEmpty()) {
                throw new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \"" + name
                        + "\": no such upscaler on this node; it has " + names(), null);
            }
            return upscalers.open(field, nameOrFile.get(), tiling);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \"" + name + "\": " + e.getMessage(),
                    e);
        }
    }
}

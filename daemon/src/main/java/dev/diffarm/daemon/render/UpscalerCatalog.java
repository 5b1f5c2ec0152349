package dev.diffarm.daemon.render;

import ai.djl.Device;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.upscale.ImageUpscaler;
import dev.diffarm.engine.upscale.Upscalers;
import dev.diffarm.engine.upscale.sd.SdUpscaler;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The upscalers an upscale job may name: the resamplers of the upscaler plugins ({@code Lanczos}, {@code Nearest};
 * case ignored, as the plugins match them), the model files of the {@link UpscalerDirectory} (with a
 * {@link StoreBackedCatalog}, also the farm's store's {@code upscalers/}, fetched into that folder when a task needs
 * one), and the folder's SD x4 upscaler folders (a diffusion pipeline: upscale jobs only, with render fields; no hires
 * upscaler).
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

    /** Every name a job may use: the resamplers', the models' (the node's and the store's) and the SD x4 upscalers'. */
    public List<String> names() {
        TreeSet<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(imageUpscalerNames());
        names.addAll(models.pipelineNames());
        return List.copyOf(names);
    }

    /** The resamplers' names, in the plugins' order ({@code Lanczos}, {@code Nearest}). */
    public List<String> resamplerNames() {
        return plugins.get().names();
    }

    /** The model files of the upscalers folder: name and file, sorted by name. */
    public List<ModelFile> modelFiles() {
        return models.names().stream().flatMap(name -> models.find(name).map(file -> new ModelFile(name, file)).stream())
                .toList();
    }

    /** The names of the store's upscaler models that the node's folder lacks, sorted. */
    public List<String> storeOnlyModelNames() {
        return store.map(catalog -> catalog.names(StoreBackedCatalog.Kind.UPSCALER).stream()
                .filter(name -> models.find(name).isEmpty()).sorted(String.CASE_INSENSITIVE_ORDER).toList())
                .orElse(List.of());
    }

    /** An upscaler model file of the farm: the name jobs use and its file. */
    public record ModelFile(String name, Path file) {
    }

    /** The names of the SD x4 upscalers (folders of the upscalers folder), sorted. */
    public List<String> sdUpscalerNames() {
        return models.pipelineNames();
    }

    /** Whether {@code name} is a resampler, a model of the folder or the store, or an SD x4 upscaler. */
    public boolean knows(String name) {
        // the local lookups first: the store's answer costs requests
        return plugins.get().resampler(name).isPresent() || models.find(name).isPresent()
                || models.findPipeline(name).isPresent() || inStore(name);
    }

    private boolean inStore(String name) {
        return store.map(catalog -> catalog.has(StoreBackedCatalog.Kind.UPSCALER, name)).orElse(false);
    }

    /** Whether {@code name} is an SD x4 upscaler folder (and no resampler or model file of that name). */
    public boolean isSdUpscaler(String name) {
        return plugins.get().resampler(name).isEmpty() && models.find(name).isEmpty()
                && models.findPipeline(name).isPresent() && !inStore(name);
    }

    /** The model file {@code name} names: the folder's, else the store's fetched into the folder now. */
    private Optional<Path> modelFile(String name) {
        return models.find(name).or(() -> {
            store.ifPresent(catalog -> catalog.fetch(StoreBackedCatalog.Kind.UPSCALER, name));
            return models.find(name);
        });
    }

    /**
     * What {@code name} stands for now, for a cache to tell whether what it loaded is still that: a resampler's name, the
     * model file's path, size and modification time (a file replaced in the folder is another model), or an SD x4
     * folder's. Empty for a name that is none of them.
     */
    public Optional<String> identity(String name) {
        if (plugins.get().resampler(name).isPresent()) {
            return Optional.of("resampler " + name.toLowerCase(Locale.ROOT));
        }
        Optional<String> model = modelFile(name).map(file -> {
            try {
                return "model " + file + " " + Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
            } catch (IOException e) {
                // gone or unreadable since it was found: the loader says why
                return "model " + file;
            }
        });
        return model.or(() -> models.findPipeline(name).map(UpscalerCatalog::folderIdentity));
    }

    /** A folder's files' total size and latest modification: a file replaced or added in it is another model. */
    private static String folderIdentity(Path folder) {
        long[] sizeAndTime = folderSizeAndTime(folder);
        return sizeAndTime == null ? "pipeline " + folder
                : "pipeline " + folder + " " + sizeAndTime[0] + " " + sizeAndTime[1];
    }

    /** The folder's files' total size and latest modification time; null where it cannot be read. */
    private static long[] folderSizeAndTime(Path folder) {
        try (Stream<Path> files = Files.walk(folder)) {
            long[] sizeAndTime = {0, 0};
            files.filter(Files::isRegularFile).forEach(file -> {
                try {
                    sizeAndTime[0] += Files.size(file);
                    sizeAndTime[1] = Math.max(sizeAndTime[1], Files.getLastModifiedTime(file).toMillis());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
            return sizeAndTime;
        } catch (IOException | UncheckedIOException e) {
            // gone or unreadable since it was found: the loader says why
            return null;
        }
    }

    /**
     * What the network {@code name} names takes loaded, estimated: its model file's (or SD x4 folder's) size; nothing
     * for a resampler or a name that is none of them.
     */
    public long estimatedBytes(String name) {
        if (plugins.get().resampler(name).isPresent()) {
            return 0;
        }
        Optional<Long> fileSize = models.find(name).map(file -> {
            try {
                return Files.size(file);
            } catch (IOException e) {
                // gone or unreadable since it was found: the loader says why
                return 0L;
            }
        });
        return fileSize.or(() -> models.findPipeline(name).map(folder -> {
            long[] sizeAndTime = folderSizeAndTime(folder);
            return sizeAndTime == null ? 0L : sizeAndTime[0];
        })).orElse(0L);
    }

    /**
     * The upscaler {@code name} names, ready to run: a resampler, else the model file of that name loaded now (fetched
     * from the store first where the node lacks it; in use, not evicted from the node's cache, while it loads).
     *
     * @param field the job's field, named in errors
     * @throws RenderException ({@value RenderException#INPUT_INVALID}) for an SD x4 upscaler, which is no image
     *                         upscaler; ({@value RenderException#INPUT_UNAVAILABLE}) for a name that is none, listing
     *                         the known ones, or a model file that cannot be loaded, saying why
     */
    public ImageUpscaler open(String field, String name, Tiling tiling) {
        return open(field, name, tiling, Device.cpu());
    }

    /** As {@link #open(String, String, Tiling)}, a network loaded onto {@code device} (its worker's). */
    public ImageUpscaler open(String field, String name, Tiling tiling, Device device) {
        Upscalers upscalers = plugins.get();
        try (StoreBackedCatalog.InUse loading = store.map(catalog -> catalog.use(StoreBackedCatalog.Kind.UPSCALER, name))
                .orElse(StoreBackedCatalog.InUse.NOTHING)) {
            Optional<String> nameOrFile = upscalers.resampler(name).isPresent() ? Optional.of(name)
                    : modelFile(name).map(Object::toString);
            if (nameOrFile.isEmpty() && isSdUpscaler(name)) {
                throw new RenderException(RenderException.INPUT_INVALID, field + " = \"" + name + "\": an SD x4 "
                        + "upscaler runs as an upscale job's upscaler only; expected an image upscaler: "
                        + String.join(", ", imageUpscalerNames()), null);
            }
            if (nameOrFile.isEmpty()) {
                throw new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \"" + name
                        + "\": no such upscaler on this node; it has " + names(), null);
            }
            return upscalers.open(field, nameOrFile.get(), tiling, device);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \"" + name + "\": " + e.getMessage(),
                    e);
        }
    }

    /**
     * The SD x4 upscaler {@code name} names, loaded now.
     *
     * @param field the job's field, named in errors
     * @throws RenderException ({@value RenderException#INPUT_UNAVAILABLE}) for a name that is no SD x4 upscaler of
     *                         the node, or a folder that cannot be loaded, saying why
     */
    public SdUpscaler openSdUpscaler(String field, String name) {
        Path folder = models.findPipeline(name).filter(found -> isSdUpscaler(name)).orElseThrow(() ->
                new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \"" + name
                        + "\": no SD x4 upscaler of that name on this node; it has " + sdUpscalerNames(), null));
        try {
            return SdUpscaler.load(folder, TokenizerLocator.fromEnvironment());
        } catch (ModelLoadException | UncheckedIOException e) {
            throw new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \"" + name + "\": " + e.getMessage(),
                    e);
        }
    }

    /** The image upscalers' names (a hires pass may take them): the resamplers' and the models' (node and store). */
    public List<String> imageUpscalerNames() {
        TreeSet<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(plugins.get().names());
        names.addAll(models.names());
        store.ifPresent(catalog -> names.addAll(catalog.names(StoreBackedCatalog.Kind.UPSCALER)));
        return List.copyOf(names);
    }
}

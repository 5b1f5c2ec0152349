package dev.diffarm.daemon.render;

import ai.djl.Device;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.engine.upscale.ImageUpscaler;
import dev.diffarm.engine.upscale.Upscalers;
import java.io.IOException;
import java.nio.file.Files;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The upscalers an upscale job may name: the resamplers of the upscaler plugins ({@code Lanczos}, {@code Nearest};
 * case ignored, as the plugins match them) and the model files of the {@link UpscalerDirectory}.
 */
public final class UpscalerCatalog {
    private final Supplier<Upscalers> plugins;
    private final UpscalerDirectory models;

    /** @param plugins the upscaler plugins as loaded now (a jar dropped in is found at the next lookup) */
    public UpscalerCatalog(Supplier<Upscalers> plugins, UpscalerDirectory models) {
        this.plugins = plugins;
        this.models = models;
    }

    /** Every name a job may use: the resamplers', then the models', each once. */
    public List<String> names() {
        TreeSet<String> names = new TreeSet<>(String.CASE_INSENSITIVE_ORDER);
        names.addAll(plugins.get().names());
        names.addAll(models.names());
        return List.copyOf(names);
    }

    /** Whether {@code name} is a resampler or a model of the folder. */
    public boolean knows(String name) {
        return plugins.get().resampler(name).isPresent() || models.find(name).isPresent();
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
        return models.find(name).map(file -> {
            try {
                return "model " + file + " " + Files.size(file) + " " + Files.getLastModifiedTime(file).toMillis();
            } catch (IOException e) {
                // gone or unreadable since it was found: the loader says why
                return "model " + file;
            }
        });
    }

    /**
     * The upscaler {@code name} names, ready to run: a resampler, else the model file of that name loaded now.
     *
     * @param field the job's field, named in errors
     * @throws RenderException ({@value RenderException#INPUT_UNAVAILABLE}) for a name that is neither, listing the
     *                         known ones, or a model file that cannot be loaded, saying why
     */
    public ImageUpscaler open(String field, String name, Tiling tiling) {
        return open(field, name, tiling, Device.cpu());
    }

    /** As {@link #open(String, String, Tiling)}, a network loaded onto {@code device} (its worker's). */
    public ImageUpscaler open(String field, String name, Tiling tiling, Device device) {
        Upscalers upscalers = plugins.get();
        Optional<String> nameOrFile = upscalers.resampler(name).isPresent() ? Optional.of(name)
                : models.find(name).map(Object::toString);
        if (nameOrFile.isEmpty()) {
            throw new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \"" + name
                    + "\": no such upscaler on this node; it has " + names(), null);
        }
        try {
            return upscalers.open(field, nameOrFile.get(), tiling, device);
        } catch (IllegalArgumentException | IllegalStateException e) {
            throw new RenderException(RenderException.INPUT_UNAVAILABLE, field + " = \"" + name + "\": " + e.getMessage(),
                    e);
        }
    }
}

package dev.diffarm.daemon.render;

import dev.diffarm.engine.upscale.sd.SdUpscaleModel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The upscaler models folder ({@code DIFFARM_UPSCALERS_DIR}): an upscale job's {@code upscaler} that is no resampler
 * names a file there, {@code name.safetensors} or {@code name.pth} (as A1111's {@code models/ESRGAN} holds them),
 * directly in the folder. A diffusers {@code StableDiffusionUpscalePipeline} folder there (the SD x4 upscaler, its
 * {@code model_index.json} naming that class) is an upscaler too, named by the folder: it lives here rather than among
 * the render models because it is no render model (its UNet takes the picture as 3 more channels) and jobs name it
 * where they name upscalers. Read on each call, so a model copied in while the daemon runs is found; a folder that
 * does not exist holds none.
 */
public final class UpscalerDirectory {
    /** The forms a model file comes in, in the order a name is looked up. */
    static final List<String> SUFFIXES = List.of(".safetensors", ".pth");

    private final Path dir;

    public UpscalerDirectory(Path dir) {
        this.dir = dir;
    }

    /** The names of the models in the folder (file names without their extension), sorted, each once. */
    public List<String> names() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(Files::isRegularFile).map(entry -> entry.getFileName().toString())
                    .filter(file -> !file.startsWith(".")).map(UpscalerDirectory::modelName).flatMap(Optional::stream)
                    .distinct().sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the upscaler models in " + dir + ": " + e, e);
        }
    }

    /** The file of the model called {@code name}, if the folder has one ({@code .safetensors} first). */
    public Optional<Path> find(String name) {
        if (name.isBlank() || name.startsWith(".") || name.contains("/") || name.contains("\\")) {
            return Optional.empty();
        }
        return SUFFIXES.stream().map(suffix -> dir.resolve(name + suffix)).filter(Files::isRegularFile).findFirst();
    }

    /** The names of the SD x4 upscaler folders, sorted. */
    public List<String> pipelineNames() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(entry -> !entry.getFileName().toString().startsWith("."))
                    .filter(SdUpscaleModel::isUpscaler).map(entry -> entry.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the upscaler models in " + dir + ": " + e, e);
        }
    }

    /** The SD x4 upscaler folder called {@code name}, if the folder has one. */
    public Optional<Path> findPipeline(String name) {
        if (name.isBlank() || name.startsWith(".") || name.contains("/") || name.contains("\\")) {
            return Optional.empty();
        }
        Path folder = dir.resolve(name);
        return SdUpscaleModel.isUpscaler(folder) ? Optional.of(folder) : Optional.empty();
    }

    private static Optional<String> modelName(String file) {
        return SUFFIXES.stream().filter(file::endsWith).findFirst()
                .map(suffix -> file.substring(0, file.length() - suffix.length())).filter(name -> !name.isEmpty());
    }
}

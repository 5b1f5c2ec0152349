package dev.diffarm.daemon.render;

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
 * directly in the folder. Read on each call, so a model copied in while the daemon runs is found; a folder that does
 * not exist holds none.
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

    private static Optional<String> modelName(String file) {
        return SUFFIXES.stream().filter(file::endsWith).findFirst()
                .map(suffix -> file.substring(0, file.length() - suffix.length())).filter(name -> !name.isEmpty());
    }
}

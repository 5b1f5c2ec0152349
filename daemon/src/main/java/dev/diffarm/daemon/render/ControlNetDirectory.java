package dev.diffarm.daemon.render;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The ControlNet folder ({@code DIFFARM_CONTROLNETS_DIR}): a unit's {@code model} names a single file there,
 * {@code name.safetensors} in the original layout (as A1111's {@code models/ControlNet} holds them), or a diffusers
 * folder {@code name/} with its {@code config.json}. Read on each call, so a ControlNet copied in while the daemon runs
 * is found; a folder that does not exist holds none.
 */
public final class ControlNetDirectory {
    static final String SUFFIX = ".safetensors";
    static final String DIFFUSERS_CONFIG = "config.json";

    private final Path dir;

    public ControlNetDirectory(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The names of the ControlNets in the folder (files without their extension, folders as they are), sorted. */
    public List<String> names() {
        return FolderEntries.names(dir, "ControlNets", ControlNetDirectory::name);
    }

    /** The file or folder of the ControlNet called {@code name}, if the folder has one (the single file first). */
    public Optional<Path> find(String name) {
        if (name.isBlank() || name.startsWith(".") || name.contains("/") || name.contains("\\")) {
            return Optional.empty();
        }
        Path file = dir.resolve(name + SUFFIX);
        if (Files.isRegularFile(file)) {
            return Optional.of(file);
        }
        Path folder = dir.resolve(name);
        return Files.isRegularFile(folder.resolve(DIFFUSERS_CONFIG)) ? Optional.of(folder) : Optional.empty();
    }

    private static Optional<String> name(Path entry) {
        String file = entry.getFileName().toString();
        if (Files.isRegularFile(entry) && file.endsWith(SUFFIX) && file.length() > SUFFIX.length()) {
            return Optional.of(file.substring(0, file.length() - SUFFIX.length()));
        }
        return Files.isRegularFile(entry.resolve(DIFFUSERS_CONFIG)) ? Optional.of(file) : Optional.empty();
    }
}

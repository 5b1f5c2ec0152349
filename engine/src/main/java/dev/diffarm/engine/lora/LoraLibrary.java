package dev.diffarm.engine.lora;

import dev.diffarm.engine.prompt.LoraTag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A folder of LoRA files that prompt tags ({@code <lora:NAME:WEIGHT>}) and jobs name: {@code NAME} is the file
 * {@code NAME.safetensors} directly inside the folder, and nothing else. A name that could reach outside the folder
 * — one with a path separator, {@code ..}, or an absolute path — is refused, so that a prompt can never make the
 * farm read an arbitrary file.
 */
public final class LoraLibrary {
    private final Path dir;

    /** @throws LoraException if {@code dir} is not a folder */
    public LoraLibrary(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new LoraException("LoRA folder " + dir + " is not a folder");
        }
        this.dir = dir.toAbsolutePath().normalize();
    }

    /**
     * The requests for a prompt's {@code <lora:NAME:WEIGHT>} tags, each {@code NAME} found in {@code dir}.
     *
     * @throws IllegalArgumentException if there are tags but no folder
     * @throws LoraException            naming a LoRA the folder does not have
     */
    public static List<LoraRequest> forTags(Optional<Path> dir, List<LoraTag> tags) {
        if (tags.isEmpty()) {
            return List.of();
        }
        LoraTag first = tags.get(0);
        LoraLibrary library = new LoraLibrary(dir.orElseThrow(() -> new IllegalArgumentException("the prompt names <lora:"
                + first.name() + ":" + first.weight() + ">, but no LoRA folder says where named LoRAs are")));
        return tags.stream().map(tag -> new LoraRequest(tag.name(), library.resolve(tag.name()), tag.weight())).toList();
    }

    public Path dir() {
        return dir;
    }

    /**
     * The file of LoRA {@code name}.
     *
     * @throws LoraException naming the LoRA: an empty name, one that could leave the folder, or no such file
     */
    public Path resolve(String name) {
        if (name == null || name.isBlank()) {
            throw new LoraException("LoRA name is empty: expected the name of a .safetensors file in " + dir);
        }
        if (name.contains("/") || name.contains("\\") || name.contains(dir.getFileSystem().getSeparator())) {
            throw new LoraException("LoRA name '" + name + "' contains a path separator: expected a file name in " + dir
                    + " without folders");
        }
        if (name.contains("..")) {
            throw new LoraException("LoRA name '" + name + "' contains '..': expected a file name in " + dir);
        }
        if (Path.of(name).isAbsolute() || name.indexOf('\0') >= 0 || name.contains(":")) {
            throw new LoraException("LoRA name '" + name + "' is not a plain file name: expected a file name in " + dir);
        }
        Path file = dir.resolve(name + ".safetensors").normalize();
        if (!dir.equals(file.getParent())) {
            throw new LoraException("LoRA name '" + name + "' does not name a file directly in " + dir);
        }
        if (!Files.isRegularFile(file)) {
            throw new LoraException("LoRA '" + name + "' not found: no file " + file);
        }
        return file;
    }
}

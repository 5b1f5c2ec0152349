package dev.diffarm.daemon.render;

import dev.diffarm.engine.lora.LoraException;
import dev.diffarm.engine.lora.LoraLibrary;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.farm.config.Lora;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The LoRA directory ({@code DIFFARM_LORA_DIR}): a job's LoRA {@code name} is the file {@code name.safetensors}
 * directly in it, resolved by the engine's {@link LoraLibrary}, which refuses names that could leave the folder.
 * The folder is read on each call, so a LoRA copied in while the daemon runs is found; a folder that does not
 * exist holds no LoRAs.
 */
public final class LoraDirectory {
    private static final String SUFFIX = ".safetensors";

    private final Path dir;

    public LoraDirectory(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The names of the LoRAs in the folder, sorted. */
    public List<String> names() {
        return FolderEntries.names(dir, "LoRAs", entry -> Optional.of(entry.getFileName().toString())
                .filter(file -> Files.isRegularFile(entry) && file.endsWith(SUFFIX))
                .map(file -> file.substring(0, file.length() - SUFFIX.length())));
    }

    /** Whether a LoRA called {@code name} is in the folder. */
    public boolean has(String name) {
        return names().contains(name);
    }

    /**
     * The engine's requests for a task's LoRAs, in the task's order.
     *
     * @throws RenderException ({@value RenderException#LORA_UNAVAILABLE}) naming a LoRA that is not in the folder
     */
    public List<LoraRequest> requests(List<Lora> loras) {
        if (loras.isEmpty()) {
            return List.of();
        }
        try {
            LoraLibrary library = new LoraLibrary(dir);
            return loras.stream()
                    .map(lora -> new LoraRequest(lora.name(), library.resolve(lora.name()), lora.weight())).toList();
        } catch (LoraException e) {
            throw new RenderException(RenderException.LORA_UNAVAILABLE, e.getMessage(), e);
        }
    }
}

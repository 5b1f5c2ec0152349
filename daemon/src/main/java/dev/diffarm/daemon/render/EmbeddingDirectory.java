package dev.diffarm.daemon.render;

import dev.diffarm.engine.embedding.EmbeddingLibrary;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The textual-inversion embeddings folder ({@code DIFFARM_EMBEDDINGS_DIR}): every {@code .safetensors}, {@code .pt}
 * and {@code .bin} file in it or its subfolders, triggered in a prompt by its name, as the engine's
 * {@link EmbeddingLibrary} reads them. The folder is read on each call, so an embedding copied in while the daemon
 * runs is used by the next task; a folder that does not exist holds no embeddings.
 */
public final class EmbeddingDirectory {
    private final Path dir;

    public EmbeddingDirectory(Path dir) {
        this.dir = dir;
    }

    public Path dir() {
        return dir;
    }

    /** The embeddings in the folder now. */
    public EmbeddingLibrary library() {
        return Files.isDirectory(dir) ? EmbeddingLibrary.scan(dir) : EmbeddingLibrary.none();
    }

    /** The names prompts can trigger, sorted. */
    public List<String> names() {
        return library().names().stream().sorted().toList();
    }
}

package dev.diffarm.engine.embedding;

import dev.diffarm.engine.clip.TokenVectors;

/**
 * A textual-inversion embedding under the name a prompt uses for it.
 *
 * @param name the trigger: the file name without extension (A1111) or the token (diffusers)
 * @param file the vectors and where they came from
 */
public record Embedding(String name, EmbeddingFile file) implements TokenVectors {
    @Override
    public int count() {
        return file.count();
    }

    @Override
    public int width() {
        return file.width();
    }

    @Override
    public float[] values() {
        return file.values();
    }
}

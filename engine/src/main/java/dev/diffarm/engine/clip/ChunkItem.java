package dev.diffarm.engine.clip;

/** What {@link PromptChunker} lays out into chunks: a token, a run of vectors that replace tokens, or a break. */
public sealed interface ChunkItem permits ChunkItem.Token, ChunkItem.Vectors, ChunkItem.Break {

    /** A token id and the weight its hidden state gets. */
    record Token(int id, float weight) implements ChunkItem {
    }

    /** Vectors that take {@code vectors.count()} positions, all in one chunk, each with {@code weight}. */
    record Vectors(TokenVectors vectors, float weight) implements ChunkItem {
    }

    /** Ends the current chunk, even an empty one, as A1111's {@code BREAK} does. */
    record Break() implements ChunkItem {
    }
}

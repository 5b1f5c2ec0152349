package dev.diffarm.engine.clip;

/**
 * Vectors that stand in a prompt in place of token embeddings, one per position: a textual-inversion
 * embedding. They go into the text encoder's input after the token lookup and before the position
 * embeddings are added.
 */
public interface TokenVectors {
    /** Positions they take. */
    int count();

    /** Their width, the text encoder's hidden size. */
    int width();

    /** {@code count * width} values, row by row. */
    float[] values();
}

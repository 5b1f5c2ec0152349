package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.diffarm.engine.clip.ClipTextModel;

/**
 * Textual inversion as diffusers' {@code textual_inversion.py} trains it: the text encoder's token-embedding matrix
 * grown by the new tokens' rows (each a copy of the initializer token's row) is the one trained array; the gradient
 * flows through the embedding lookup, AdamW updates the whole matrix, and afterwards every row outside the new
 * tokens' id range is put back as it was (so that weight decay and Adam leave the ordinary tokens alone).
 */
public final class TokenEmbeddingTraining {
    private TokenEmbeddingTraining() {
    }

    /**
     * The trained matrix: {@code vocabulary} [V, D] followed by {@code newTokens} copies of row {@code initializerId},
     * in {@code manager}, marked as trained.
     */
    public static NDArray grow(NDArray vocabulary, int initializerId, int newTokens, NDManager manager) {
        Shape shape = vocabulary.getShape();
        long rows = shape.get(0);
        if (initializerId < 0 || initializerId >= rows) {
            throw new IllegalArgumentException("initToken: id " + initializerId + " is outside the vocabulary of " + rows);
        }
        if (newTokens < 1) {
            throw new IllegalArgumentException("numVectors: expected at least 1, got " + newTokens);
        }
        float[] values = vocabulary.toFloatArray();
        int d = (int) shape.get(1);
        float[] grown = java.util.Arrays.copyOf(values, (int) ((rows + newTokens) * d));
        for (int i = 0; i < newTokens; i++) {
            System.arraycopy(values, initializerId * d, grown, (int) ((rows + i) * d), d);
        }
        NDArray matrix = manager.create(grown, new Shape(rows + newTokens, d));
        matrix.setRequiresGradient(true);
        return matrix;
    }

    /** The text encoder's last hidden states for {@code ids} [batch, tokens] looked up in {@code matrix}. */
    public static NDArray encode(ClipTextModel text, NDArray matrix, NDArray ids) {
        NDArray embeddings = ids.getNDArrayInternal().embedding(ids, matrix, SparseFormat.DENSE).singletonOrThrow();
        return text.encodeEmbeddings(embeddings, 1);
    }

    /**
     * The restore rule: every row of {@code matrix} whose id lies outside [{@code firstNew}, {@code lastNew}] gets
     * its value from {@code before} again. Call with gradient recording off.
     */
    public static void restoreOtherRows(NDArray matrix, float[] before, long firstNew, long lastNew) {
        float[] after = matrix.toFloatArray();
        int d = (int) matrix.getShape().get(1);
        for (int row = 0; row < matrix.getShape().get(0); row++) {
            if (row < firstNew || row > lastNew) {
                System.arraycopy(before, row * d, after, row * d, d);
            }
        }
        matrix.set(after);
    }
}

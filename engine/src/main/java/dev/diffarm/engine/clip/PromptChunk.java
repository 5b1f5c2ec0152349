package dev.diffarm.engine.clip;

import java.util.List;

/**
 * One pass of the text encoder: start token, up to 75 tokens, end token, padding.
 *
 * @param ids     {@code contextLength} token ids; where vectors go the id is 0, as in A1111
 * @param weights the weight of each position's hidden state: 1 for the start, end and padding
 * @param vectors the vectors to put in place of the token embeddings, by position
 */
public record PromptChunk(int[] ids, float[] weights, List<Slot> vectors) {

    public PromptChunk {
        if (ids.length != weights.length) {
            throw new IllegalArgumentException(ids.length + " ids but " + weights.length + " weights");
        }
        vectors = List.copyOf(vectors);
    }

    /** Whether any weight differs from 1. */
    public boolean weighted() {
        for (float weight : weights) {
            if (weight != 1f) {
                return true;
            }
        }
        return false;
    }

    /** {@code vectors} starting at {@code position} of the chunk (the start token is position 0). */
    public record Slot(int position, TokenVectors vectors) {
    }
}

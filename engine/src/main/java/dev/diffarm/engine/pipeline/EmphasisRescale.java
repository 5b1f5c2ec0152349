package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.clip.PromptChunk;
import java.util.ArrayList;
import java.util.List;

/**
 * A1111's "Original" emphasis arithmetic ({@code EmphasisOriginal.after_transformers}) for one chunk
 * position: each token's hidden state is multiplied by its weight, and everything is then multiplied by
 * {@code original_mean / new_mean}, so that the mean over all the values is what it was.
 *
 * <p>A1111 encodes all the texts of a prompt's schedule as one batch, so its means run over every entry of
 * the schedule at once, an entry counted as often as it appears. Here each distinct text is encoded once and
 * the means are combined by those counts (exact to rounding; for a prompt without editing, the one mean is
 * libtorch's, as in A1111). When every weight is 1 the hidden states are returned as they are, which is
 * also what the arithmetic gives.
 */
final class EmphasisRescale {
    private EmphasisRescale() {
    }

    /**
     * @param hidden each distinct text's hidden states at this chunk position, [77, D]
     * @param chunks the chunks they encode, whose weights apply
     * @param counts how many schedule entries each text is
     * @return the emphasized hidden states, one per text
     */
    static List<NDArray> apply(List<NDArray> hidden, List<PromptChunk> chunks, int[] counts) {
        if (chunks.stream().noneMatch(PromptChunk::weighted)) {
            return hidden;
        }
        List<NDArray> weighted = new ArrayList<>(hidden.size());
        double originalSum = 0;
        double newSum = 0;
        int total = 0;
        float originalMean = 0;
        float newMean = 0;
        for (int i = 0; i < hidden.size(); i++) {
            NDArray h = hidden.get(i);
            NDArray scaled = weighted(h, chunks.get(i));
            weighted.add(scaled);
            Means means = Means.of(h, scaled);
            originalMean = means.original();
            newMean = means.weighted();
            originalSum += (double) counts[i] * originalMean;
            newSum += (double) counts[i] * newMean;
            total += counts[i];
        }
        if (hidden.size() > 1) {
            originalMean = (float) (originalSum / total);
            newMean = (float) (newSum / total);
        }
        float ratio = originalMean / newMean;
        List<NDArray> rescaled = new ArrayList<>(weighted.size());
        for (NDArray scaled : weighted) {
            rescaled.add(scaled.mul(ratio));
        }
        return rescaled;
    }

    /** One chunk's hidden states [77, D], each token's row multiplied by its weight. */
    static NDArray weighted(NDArray hidden, PromptChunk chunk) {
        float[] w = chunk.weights();
        return hidden.mul(hidden.getManager().create(w).reshape(w.length, 1));
    }

    /**
     * A1111's two means of a chunk ({@code original_mean}, {@code new_mean}), each over all its values and taken in
     * float32 as libtorch takes it.
     *
     * @param original the mean of the hidden states before the weights
     * @param weighted the mean after them
     */
    record Means(float original, float weighted) {
        static Means of(NDArray hidden, NDArray weightedHidden) {
            return new Means(hidden.mean().getFloat(), weightedHidden.mean().getFloat());
        }
    }
}

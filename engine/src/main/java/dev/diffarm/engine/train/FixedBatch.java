package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;

/**
 * One batch as training data: the same latents and captions every micro-batch, drawing nothing (a fixture's batch in
 * the parity tests, a stand-in latent in the training benchmark).
 */
public record FixedBatch(NDArray latents, List<String> captions) implements TrainingExamples {
    @Override
    public int images() {
        return captions.size();
    }

    @Override
    public Batch next(int batchSize, Draws draws, NDManager manager) {
        return new Batch(latents, captions);
    }

    @Override
    public long[] position() {
        return new long[0];
    }

    @Override
    public void restore(long[] position) {
    }

    @Override
    public Map<String, Map<String, Integer>> tagFrequency() {
        return Map.of();
    }

    @Override
    public void close() {
    }
}

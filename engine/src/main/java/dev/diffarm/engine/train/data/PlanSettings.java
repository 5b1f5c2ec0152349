package dev.diffarm.engine.train.data;

/**
 * How the examples of each epoch are ordered and varied.
 *
 * @param batchSize kohya's {@code --train_batch_size}: images per batch; a batch never mixes buckets, so the last
 *                  batch of a bucket may be smaller
 * @param shuffle   false for {@code --no-shuffle}: batches in bucket order, each bucket in dataset order
 * @param flip      kohya's {@code --flip_aug}: each use of an image is mirrored with probability 1/2
 * @param captions  the caption transforms
 * @param seed      seeds the data draws ({@link DataRandom}: epoch e draws from a generator seeded seed + e)
 */
public record PlanSettings(int batchSize, boolean shuffle, boolean flip, CaptionRule captions, long seed) {
    public PlanSettings {
        if (batchSize < 1) {
            throw new IllegalArgumentException("trainBatchSize must be at least 1, got " + batchSize);
        }
    }
}

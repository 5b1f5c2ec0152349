package dev.diffarm.engine.train.data;

import java.util.List;

/**
 * One batch of an epoch: examples of one bucket.
 *
 * @param bucket   the training size of every example in it
 * @param examples the examples, at most the batch size
 */
public record PlannedBatch(Size bucket, List<PlannedExample> examples) {
    public PlannedBatch {
        examples = List.copyOf(examples);
    }
}

package dev.diffarm.engine.train.data;

import java.util.List;

/**
 * Every batch of one epoch, in training order.
 *
 * @param epoch   the epoch, from 0
 * @param batches the batches
 */
public record EpochPlan(int epoch, List<PlannedBatch> batches) {
    public EpochPlan {
        batches = List.copyOf(batches);
    }
}

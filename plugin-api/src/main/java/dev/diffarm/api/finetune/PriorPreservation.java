package dev.diffarm.api.finetune;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;

/**
 * DreamBooth's prior-preservation loss, as diffusers' {@code train_dreambooth.py --with_prior_preservation} computes
 * it over a batch of instance examples followed by as many class examples:
 * {@code loss(instance half) + priorLossWeight · loss(class half)}.
 */
public final class PriorPreservation {
    private PriorPreservation() {
    }

    /** The batch's loss: prior-preserving when it holds class examples, else the plain objective. */
    public static NDArray loss(Objective objective, NDArray prediction, MicroBatch batch, double priorLossWeight) {
        long[] t = batch.timesteps();
        int prior = batch.priorExamples();
        if (prior == 0) {
            return objective.loss(prediction, batch.target(), t);
        }
        int instances = t.length - prior;
        if (instances != prior) {
            throw new IllegalArgumentException("prior preservation needs instance and class examples in equal halves; "
                    + "got " + instances + " and " + prior);
        }
        NDArray instance = objective.loss(MicroBatch.head(prediction, instances), MicroBatch.head(batch.target(), instances),
                Arrays.copyOfRange(t, 0, instances));
        NDArray classes = objective.loss(MicroBatch.tail(prediction, instances), MicroBatch.tail(batch.target(), instances),
                Arrays.copyOfRange(t, instances, t.length));
        // the weight as an array of the step's scope: the graph keeps it until the backward pass
        NDArray weight = prediction.getManager().create((float) priorLossWeight);
        return instance.add(classes.mul(weight));
    }
}

package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import java.util.Collection;

/** A model part's tensors switched between trained (gradients recorded) and frozen, for full fine-tuning. */
final class TrainedArrays {
    private TrainedArrays() {
    }

    static void mark(Collection<NDArray> arrays, boolean trained) {
        for (NDArray p : arrays) {
            p.setRequiresGradient(trained);
        }
    }
}

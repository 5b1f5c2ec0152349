package dev.diffarm.engine.nn;

import ai.djl.ndarray.NDArray;

/** The check that a replacement weight fits the layer it replaces the weight of. */
final class SameShape {
    private SameShape() {
    }

    static void require(NDArray original, NDArray replacement) {
        if (!original.getShape().equals(replacement.getShape())) {
            throw new IllegalArgumentException("replacement weight " + replacement.getShape()
                    + " does not fit a layer whose weight is " + original.getShape());
        }
    }
}

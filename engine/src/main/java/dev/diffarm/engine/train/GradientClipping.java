package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.List;

/** torch's {@code clip_grad_norm_}: scales every gradient by {@code min(1, max / (total + 1e-6))}. */
final class GradientClipping {
    private GradientClipping() {
    }

    /**
     * @param grads   the gradients, scaled in place (also when the factor is 1, as torch does)
     * @param maxNorm the largest total 2-norm allowed
     * @return the total 2-norm before clipping, {@code √(Σ ‖g_i‖²)} over the gradients in order
     */
    static float clip(List<NDArray> grads, double maxNorm) {
        float total = norm(grads);
        float coef = Math.min(1f, (float) maxNorm / (total + 1e-6f));
        for (NDArray g : grads) {
            g.muli(coef);
        }
        return total;
    }

    /** {@code √(Σ ‖g_i‖²)}: the 2-norm of the gradients' 2-norms, in float32 as torch computes it. */
    static float norm(List<NDArray> grads) {
        NDList norms = new NDList(grads.size());
        for (NDArray g : grads) {
            norms.add(g.flatten().norm());
        }
        return NDArrays.stack(norms).norm().getFloat();
    }
}

package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import java.util.ArrayList;
import java.util.List;

/**
 * The end of every trainer's optimizer step, after the backward passes: the gradients clipped to a total norm, one
 * AdamW update, the gradients zeroed for the next step. Call it inside the step's scope with gradient recording off.
 */
final class ParameterUpdate {
    private ParameterUpdate() {
    }

    /**
     * @param maxGradNorm the largest total gradient norm; 0 for no clipping
     * @param lrs         each parameter's learning rate
     * @return the total gradient norm before clipping
     */
    static float apply(List<NDArray> parameters, AdamW optimizer, double maxGradNorm, double[] lrs) {
        List<NDArray> grads = new ArrayList<>(parameters.size());
        for (NDArray p : parameters) {
            grads.add(p.getGradient());
        }
        float gradNorm = maxGradNorm > 0 ? GradientClipping.clip(grads, maxGradNorm) : GradientClipping.norm(grads);
        optimizer.step(parameters, grads, lrs);
        for (NDArray p : parameters) {
            JniUtils.zeroGrad((PtNDArray) p);
        }
        return gradNorm;
    }
}

package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * torch 1.13's {@code AdamW} (single-tensor path), per trained tensor with step t = 1, 2, ...:
 * <pre>
 * p ← p·(1 − lr·wd);  m ← β1·m + (1 − β1)·g;  v ← β2·v + (1 − β2)·g²
 * p ← p − (lr / (1 − β1^t)) · m / (√v / √(1 − β2^t) + ε)
 * </pre>
 * Its moments live in their own manager, outside the training step's scope; call {@link #step} with gradient
 * recording off.
 */
public final class AdamW implements AutoCloseable {
    private final double beta1;
    private final double beta2;
    private final double eps;
    private final double weightDecay;
    private final NDManager manager;
    private final List<NDArray> m = new ArrayList<>();
    private final List<NDArray> v = new ArrayList<>();
    private long step;

    /**
     * @param parameters the trained tensors, in the order every later call gives their gradients
     */
    public AdamW(List<NDArray> parameters, double beta1, double beta2, double eps, double weightDecay, NDManager parent) {
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.eps = eps;
        this.weightDecay = weightDecay;
        this.manager = parent.newSubManager();
        for (NDArray p : parameters) {
            m.add(manager.zeros(p.getShape()));
            v.add(manager.zeros(p.getShape()));
        }
    }

    /** torch's defaults for diffusers' and kohya's scripts: betas (0.9, 0.999), eps 1e-8, weight decay 1e-2. */
    public static AdamW withDefaults(List<NDArray> parameters, NDManager parent) {
        return new AdamW(parameters, 0.9, 0.999, 1e-8, 1e-2, parent);
    }

    /** One update of every parameter with learning rate {@code lr}; Adam's moments and t advance even at lr 0. */
    public void step(List<NDArray> parameters, List<NDArray> grads, double lr) {
        double[] lrs = new double[parameters.size()];
        java.util.Arrays.fill(lrs, lr);
        step(parameters, grads, lrs);
    }

    /**
     * One update of every parameter, parameter i with learning rate {@code lrs[i]} (torch's parameter groups, one
     * optimizer step for all); Adam's moments and t advance even at lr 0.
     */
    public void step(List<NDArray> parameters, List<NDArray> grads, double[] lrs) {
        step++;
        double biasCorrection1 = 1 - Math.pow(beta1, step);
        double biasCorrection2Sqrt = Math.sqrt(1 - Math.pow(beta2, step));
        for (int i = 0; i < parameters.size(); i++) {
            double lr = lrs[i];
            float stepSize = (float) (lr / biasCorrection1);
            NDArray p = parameters.get(i);
            NDArray g = grads.get(i);
            p.muli((float) (1 - lr * weightDecay));
            m.get(i).muli((float) beta1).addi(g.mul((float) (1 - beta1)));
            v.get(i).muli((float) beta2).addi(g.mul(g).muli((float) (1 - beta2)));
            NDArray denom = v.get(i).sqrt().divi((float) biasCorrection2Sqrt).addi((float) eps);
            p.subi(m.get(i).div(denom).muli(stepSize));
        }
    }

    /** Optimizer steps taken. */
    public long steps() {
        return step;
    }

    List<NDArray> firstMoments() {
        return m;
    }

    List<NDArray> secondMoments() {
        return v;
    }

    /** Continues from a saved state: {@code t} steps taken, the moments as {@link #firstMoments}/{@link #secondMoments}. */
    void restore(long steps, List<float[]> first, List<float[]> second) {
        if (first.size() != m.size() || second.size() != v.size()) {
            throw new IllegalArgumentException("saved optimizer state has " + first.size() + " tensors, expected " + m.size());
        }
        for (int i = 0; i < m.size(); i++) {
            m.get(i).set(first.get(i));
            v.get(i).set(second.get(i));
        }
        this.step = steps;
    }

    @Override
    public void close() {
        manager.close();
    }
}

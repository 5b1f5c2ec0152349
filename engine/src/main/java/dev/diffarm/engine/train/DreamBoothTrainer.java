package dev.diffarm.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.training.GradientCollector;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * DreamBooth with prior preservation as diffusers' {@code train_dreambooth.py --with_prior_preservation} trains it:
 * every tensor of the UNet is trained in place. One {@link #step} takes a batch in {@code collate_fn} order (the
 * instance examples, then as many class examples), draws the noise ({@code randn}) and the timesteps
 * ({@code randint(0, T, (n,))}), and minimises {@code MSE(instance half) + priorLossWeight · MSE(class half)}; then
 * clipping, AdamW over all UNet tensors in {@link UNet2DConditionModel#parameters()} order, and the UNet is told its
 * values changed so that rendering with it afterwards is right. Each step runs in its own {@link NDScope}; the
 * optimizer's moments live outside it.
 */
public final class DreamBoothTrainer implements AutoCloseable {
    private final UNet2DConditionModel unet;
    private final List<NDArray> parameters;
    private final NoiseObjective objective;
    private final Draws draws;
    private final double priorLossWeight;
    private final double maxGradNorm;
    private final int trainTimesteps;
    private final NDManager manager;
    private final AdamW optimizer;
    private long stepsDone;

    /** What one step did. */
    public record Step(long step, float instanceLoss, float priorLoss, float loss, double lr, float gradNorm) {
    }

    /** The forward and backward pass of a batch; the gradients are left on the parameters. */
    record Backward(NDArray prediction, float instanceLoss, float priorLoss, float loss) {
    }

    /**
     * Marks every UNet tensor as trained; {@link #close} unmarks them.
     *
     * @param maxGradNorm    the largest total gradient norm (diffusers' default 1.0); 0 for no clipping
     * @param trainTimesteps the schedule's number of training timesteps (1000)
     * @param parent         holds the optimizer's moments
     */
    public DreamBoothTrainer(UNet2DConditionModel unet, NoiseObjective objective, Draws draws, double priorLossWeight,
                             double maxGradNorm, int trainTimesteps, NDManager parent) {
        if (!(priorLossWeight >= 0)) {
            throw new IllegalArgumentException("priorLossWeight: must be 0 or more, got " + priorLossWeight);
        }
        this.unet = unet;
        this.parameters = new ArrayList<>(unet.parameters().values());
        this.objective = objective;
        this.draws = draws;
        this.priorLossWeight = priorLossWeight;
        this.maxGradNorm = maxGradNorm;
        this.trainTimesteps = trainTimesteps;
        for (NDArray p : parameters) {
            p.setRequiresGradient(true);
        }
        this.manager = parent.newSubManager();
        this.optimizer = AdamW.withDefaults(parameters, manager);
    }

    /** The trained tensors by their diffusers key, in the optimizer's order. */
    public Map<String, NDArray> parameters() {
        return unet.parameters();
    }

    /**
     * One optimizer step on a batch.
     *
     * @param latents the instance examples' latents, then the class examples' [2b, C, h, w]
     * @param text    their text embeddings in the same order [2b, tokens, D]
     * @param lr      the learning rate of this step
     */
    public Step step(NDArray latents, NDArray text, double lr) {
        Backward pass;
        float gradNorm;
        try (NDScope scope = new NDScope()) {
            pass = backward(latents, text);
            gradNorm = update(lr);
        }
        stepsDone++;
        return new Step(stepsDone, pass.instanceLoss(), pass.priorLoss(), pass.loss(), lr, gradNorm);
    }

    /** Draws the noise and timesteps, predicts, and back-propagates the prior-preservation loss. */
    Backward backward(NDArray latents, NDArray text) {
        long batch = latents.getShape().get(0);
        if (text.getShape().get(0) != batch) {
            throw new IllegalArgumentException("text: " + text.getShape().get(0) + " embeddings for " + batch + " latents");
        }
        NDArray noise = draws.randn(latents.getManager(), latents.getShape());
        long[] timesteps = draws.randint(trainTimesteps, (int) batch);
        NDArray noisy = objective.addNoise(latents, noise, timesteps);
        NDArray target = objective.target(latents, noise, timesteps);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray prediction = unet.forward(noisy, HostModel.asFloats(timesteps), text);
            NoiseObjective.PriorPreservation loss = objective.priorPreservationLoss(prediction, target, timesteps,
                    priorLossWeight);
            collector.backward(loss.total());
            return new Backward(prediction, loss.instance().getFloat(), loss.prior().getFloat(), loss.total().getFloat());
        }
    }

    /** Clips, updates every UNet tensor, zeroes the gradients and invalidates the UNet's derived state. */
    float update(double lr) {
        float gradNorm = ParameterUpdate.apply(parameters, optimizer, maxGradNorm, lr);
        unet.parametersChanged();
        return gradNorm;
    }

    public long stepsDone() {
        return stepsDone;
    }

    @Override
    public void close() {
        for (NDArray p : parameters) {
            p.setRequiresGradient(false);
        }
        optimizer.close();
        manager.close();
    }
}

package dev.diffarm.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.util.List;

/**
 * The LoRA training loop of diffusers' {@code train_text_to_image_lora.py} / kohya's {@code train_network.py}, one
 * optimizer step per {@link #step}: per micro-batch the next examples (with whatever their
 * {@link TrainingExamples} draws) and their captions encoded, a noise draw ({@code randn}), an optional noise offset
 * draw ({@code randn([b, C, 1, 1])}), the timesteps ({@code randint(0, T, (b,))}), the UNet's prediction with
 * the LoRA attached, and the backward pass of {@code loss / accumulation}; then clipping, AdamW at the schedule's
 * learning rate, and the gradients zeroed. Each step runs in its own {@link NDScope}; the LoRA, the optimizer state and
 * the cached examples live outside it.
 */
public final class LoraTrainer implements AutoCloseable {
    private final UNet2DConditionModel unet;
    private final LoraNetwork network;
    private final TrainingExamples examples;
    private final CaptionEncoder captions;
    private final TrainingSettings settings;
    private final NoiseObjective objective;
    private final Draws draws;
    private final AdamW optimizer;
    private final NDManager manager;
    private final int trainTimesteps;
    private long stepsDone;

    /**
     * @param trainTimesteps the schedule's number of training timesteps (1000)
     * @param parent         holds the optimizer's moments
     */
    public LoraTrainer(UNet2DConditionModel unet, LoraNetwork network, TrainingExamples examples,
                       CaptionEncoder captions, TrainingSettings settings, NoiseObjective objective, Draws draws, int trainTimesteps,
                       NDManager parent) {
        this.unet = unet;
        this.network = network;
        this.examples = examples;
        this.captions = captions;
        this.settings = settings;
        this.objective = objective;
        this.draws = draws;
        this.trainTimesteps = trainTimesteps;
        this.manager = parent.newSubManager();
        this.optimizer = AdamW.withDefaults(network.parameters(), manager);
    }

    /** Optimizer steps taken so far. */
    public long stepsDone() {
        return stepsDone;
    }

    public boolean finished() {
        return stepsDone >= settings.maxTrainSteps();
    }

    public LoraNetwork network() {
        return network;
    }

    /** Runs the next optimizer step. */
    public StepReport step() {
        long s = stepsDone;
        double lr = settings.learningRate(s);
        int accumulation = settings.gradientAccumulationSteps();
        float[] micro = new float[accumulation];
        List<NDArray> parameters = network.parameters();
        float gradNorm;
        network.attach();
        try (NDScope scope = new NDScope()) {
            for (int m = 0; m < accumulation; m++) {
                micro[m] = microBatch(accumulation);
            }
            gradNorm = ParameterUpdate.apply(parameters, optimizer, settings.maxGradNorm(), lr);
        } finally {
            network.detach();
        }
        stepsDone++;
        double loss = 0;
        for (float l : micro) {
            loss += l;
        }
        return new StepReport(stepsDone, loss / accumulation, micro, lr, gradNorm);
    }

    private float microBatch(int accumulation) {
        TrainingExamples.Batch batch = examples.next(settings.trainBatchSize(), draws, manager);
        NDArray latents = batch.latents();
        NDArray text = captions.encode(batch.captions(), manager);
        Shape shape = latents.getShape();
        NDArray noise = draws.randn(latents.getManager(), shape);
        if (settings.noiseOffset() > 0) {
            NDArray offset = draws.randn(latents.getManager(), new Shape(shape.get(0), shape.get(1), 1, 1));
            noise = noise.add(offset.mul((float) settings.noiseOffset()));
        }
        long[] timesteps = draws.randint(trainTimesteps, batch.size());
        NDArray noisy = objective.addNoise(latents, noise, timesteps);
        NDArray target = objective.target(latents, noise, timesteps);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            NDArray pred = unet.forward(noisy, asFloats(timesteps), text);
            NDArray loss = objective.loss(pred, target, timesteps);
            // the divisor as an array of the step's scope: the graph keeps it until the backward pass, and the scalar
            // that DJL makes for div(Number) would be freed before
            collector.backward(loss.div(loss.getManager().create((float) accumulation)));
            return loss.getFloat();
        }
    }

    static float[] asFloats(long[] timesteps) {
        float[] out = new float[timesteps.length];
        for (int i = 0; i < out.length; i++) {
            out[i] = timesteps[i];
        }
        return out;
    }

    AdamW optimizer() {
        return optimizer;
    }

    TrainingExamples examples() {
        return examples;
    }

    /** Continues a saved run: {@code steps} optimizer steps were taken before. */
    void resumeAt(long steps) {
        this.stepsDone = steps;
    }

    @Override
    public void close() {
        optimizer.close();
        manager.close();
    }
}

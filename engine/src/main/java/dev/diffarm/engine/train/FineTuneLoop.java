package dev.diffarm.engine.train;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.diffarm.api.finetune.MicroBatch;
import dev.diffarm.api.finetune.Training;
import dev.diffarm.engine.unet.CheckpointedForward;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one training loop of every fine-tune method, as diffusers' and kohya's scripts run it; one optimizer step per
 * {@link #step}. Per micro-batch: the next examples ({@link TrainingExamples#next}, with its draws), a noise draw
 * ({@code randn}), an optional noise offset draw ({@code randn([b, C, 1, 1])}), the timesteps
 * ({@code randint(0, T, (b,))}), and the backward pass of the method's {@code loss / accumulation}; then clipping,
 * AdamW at the schedule's learning rate over the method's trained arrays, the gradients zeroed, and the method's
 * {@link Training#afterStep()}. Each step runs in its own {@link NDScope}; the trained arrays, the optimizer state and
 * the cached examples live outside it.
 */
public final class FineTuneLoop implements AutoCloseable {
    private final Training training;
    private final TrainingExamples examples;
    private final boolean priorPreservation;
    private final TrainingSettings settings;
    private final NoiseObjective objective;
    private final Draws draws;
    private final int trainTimesteps;
    private final NDManager manager;
    private final List<String> names;
    private final List<NDArray> parameters;
    private final AdamW optimizer;
    /** Each trained array's base learning rate, which the schedule scales: the method's own or the run's. */
    private final double[] baseRates;
    private final Optional<CheckpointedForward> checkpoints;
    private long stepsDone;

    /**
     * @param priorPreservation every batch is instance examples then as many class examples
     * @param trainTimesteps    the schedule's number of training timesteps (1000)
     * @param parent            holds the optimizer's moments
     */
    public FineTuneLoop(Training training, TrainingExamples examples, boolean priorPreservation,
                        TrainingSettings settings, NoiseObjective objective, Draws draws, int trainTimesteps,
                        NDManager parent) {
        this(training, examples, priorPreservation, settings, objective, draws, trainTimesteps, parent, Optional.empty());
    }

    /**
     * @param checkpoints the gradient checkpointing of the model the method predicts with, whose backward pass each
     *                    micro-batch finishes after the loss's
     */
    public FineTuneLoop(Training training, TrainingExamples examples, boolean priorPreservation,
                        TrainingSettings settings, NoiseObjective objective, Draws draws, int trainTimesteps,
                        NDManager parent, Optional<CheckpointedForward> checkpoints) {
        this.checkpoints = checkpoints;
        this.training = training;
        this.examples = examples;
        this.priorPreservation = priorPreservation;
        this.settings = settings;
        this.objective = objective;
        this.draws = draws;
        this.trainTimesteps = trainTimesteps;
        Map<String, NDArray> trained = training.parameters();
        if (trained.isEmpty()) {
            throw new IllegalArgumentException("the fine-tune method trains no array");
        }
        this.names = List.copyOf(trained.keySet());
        this.parameters = List.copyOf(trained.values());
        this.manager = parent.newSubManager();
        this.optimizer = AdamW.withDefaults(parameters, manager);
        this.baseRates = new double[names.size()];
        for (int i = 0; i < baseRates.length; i++) {
            double own = training.learningRate(names.get(i)).orElse(settings.learningRate());
            if (!(own > 0) || !Double.isFinite(own)) {
                throw new IllegalArgumentException("learningRate: the method gives " + names.get(i) + " the learning "
                        + "rate " + own + "; expected a positive number");
            }
            baseRates[i] = own;
        }
    }

    /** Optimizer steps taken so far. */
    public long stepsDone() {
        return stepsDone;
    }

    public boolean finished() {
        return stepsDone >= settings.maxTrainSteps();
    }

    /** Runs the next optimizer step. */
    public StepReport step() {
        double lr = settings.learningRate(stepsDone);
        int accumulation = settings.gradientAccumulationSteps();
        float[] micro = new float[accumulation];
        float gradNorm;
        training.beforeStep();
        try (NDScope scope = new NDScope()) {
            for (int m = 0; m < accumulation; m++) {
                micro[m] = microBatch(accumulation);
            }
            gradNorm = ParameterUpdate.apply(parameters, optimizer, settings.maxGradNorm(), learningRates());
        } finally {
            training.afterStep();
        }
        stepsDone++;
        double loss = 0;
        for (float l : micro) {
            loss += l;
        }
        return new StepReport(stepsDone, loss / accumulation, micro, lr, gradNorm);
    }

    /** Each trained array's learning rate at this step: its base rate through the run's schedule (kohya's groups). */
    private double[] learningRates() {
        double[] lrs = new double[baseRates.length];
        for (int i = 0; i < lrs.length; i++) {
            lrs[i] = settings.lrSchedule().learningRate(stepsDone, settings.lrWarmupSteps(), settings.maxTrainSteps(),
                    baseRates[i]);
        }
        return lrs;
    }

    private float microBatch(int accumulation) {
        TrainingExamples.Batch batch = examples.next(settings.trainBatchSize(), draws, manager);
        NDArray latents = batch.latents();
        Shape shape = latents.getShape();
        NDArray noise = draws.randn(latents.getManager(), shape);
        if (settings.noiseOffset() > 0) {
            NDArray offset = draws.randn(latents.getManager(), new Shape(shape.get(0), shape.get(1), 1, 1));
            noise = noise.add(offset.mul((float) settings.noiseOffset()));
        }
        long[] timesteps = draws.randint(trainTimesteps, batch.size());
        NDArray noisy = objective.addNoise(latents, noise, timesteps);
        NDArray target = objective.target(latents, noise, timesteps);
        MicroBatch micro = new MicroBatch(noisy, target, timesteps, batch.captions(),
                priorPreservation ? batch.size() / 2 : 0);
        try (GradientCollector collector = Engine.getInstance().newGradientCollector()) {
            checkpoints.ifPresent(CheckpointedForward::discard);
            NDArray loss = training.loss(micro, objective::loss);
            // the divisor as an array of the step's scope: the graph keeps it until the backward pass, and the scalar
            // that DJL makes for div(Number) would be freed before
            collector.backward(loss.div(loss.getManager().create((float) accumulation)));
            checkpoints.ifPresent(CheckpointedForward::backward);
            return loss.getFloat();
        }
    }

    /** The trained arrays' names, in the optimizer's order. */
    List<String> names() {
        return names;
    }

    List<NDArray> parameters() {
        return parameters;
    }

    AdamW optimizer() {
        return optimizer;
    }

    TrainingExamples examples() {
        return examples;
    }

    /** Continues a saved run: the trained arrays' values, the optimizer's state, the data position and the step. */
    void restore(TrainingState.Saved saved) {
        if (!saved.parameters().keySet().equals(new java.util.LinkedHashSet<>(names))) {
            List<String> differing = new ArrayList<>(names);
            differing.removeAll(saved.parameters().keySet());
            throw new IllegalArgumentException("resume: the saved state trains other arrays than this run (e.g. "
                    + (differing.isEmpty() ? saved.parameters().keySet().iterator().next() : differing.get(0))
                    + "); resume with the options of the saved run");
        }
        for (int i = 0; i < names.size(); i++) {
            float[] values = saved.parameters().get(names.get(i));
            if (values.length != parameters.get(i).size()) {
                throw new IllegalArgumentException("resume: saved " + names.get(i) + " has " + values.length
                        + " values, this run's has " + parameters.get(i).size());
            }
            parameters.get(i).set(values);
        }
        optimizer.restore(saved.adamSteps(), saved.adamM(), saved.adamV());
        examples.restore(saved.dataPosition());
        stepsDone = saved.step();
        training.afterStep();
    }

    @Override
    public void close() {
        optimizer.close();
        manager.close();
    }
}

package dev.diffarm.engine.train;

import java.util.OptionalDouble;

/**
 * The hyperparameters of a training run, by kohya's names. Defaults are in {@link #defaults()}.
 *
 * @param learningRate              the base learning rate (kohya's default 1e-4)
 * @param lrSchedule                how it changes over the steps
 * @param lrWarmupSteps             warm-up steps of the schedule
 * @param maxTrainSteps             optimizer steps
 * @param trainBatchSize            examples per micro-batch
 * @param gradientAccumulationSteps micro-batches per optimizer step
 * @param maxGradNorm               gradient clipping's largest total norm; 0 for none
 * @param seed                      the seed of the run's one generator
 * @param shuffle                   a new order of the examples every epoch (false: name order, always)
 * @param prediction                what the UNet predicts
 * @param snrGamma                  min-SNR-γ, or empty
 * @param noiseOffset               the scale of a per-channel noise offset, 0 for none
 * @param gradientCheckpointing     recompute the UNet's steps in the backward pass instead of keeping their
 *                                  activations (less memory, more time; the same gradients)
 */
public record TrainingSettings(double learningRate, LrSchedule lrSchedule, int lrWarmupSteps, int maxTrainSteps,
                               int trainBatchSize, int gradientAccumulationSteps, double maxGradNorm, long seed,
                               boolean shuffle, NoiseObjective.Prediction prediction, OptionalDouble snrGamma,
                               double noiseOffset, boolean gradientCheckpointing) {

    public TrainingSettings {
        require(learningRate > 0 && Double.isFinite(learningRate), "learningRate", learningRate, "a positive number");
        require(lrWarmupSteps >= 0, "lrWarmupSteps", lrWarmupSteps, "0 or more");
        require(maxTrainSteps >= 1, "maxTrainSteps", maxTrainSteps, "at least 1");
        require(trainBatchSize >= 1, "trainBatchSize", trainBatchSize, "at least 1");
        require(gradientAccumulationSteps >= 1, "gradientAccumulationSteps", gradientAccumulationSteps, "at least 1");
        require(maxGradNorm >= 0, "maxGradNorm", maxGradNorm, "0 (no clipping) or more");
        require(noiseOffset >= 0, "noiseOffset", noiseOffset, "0 or more");
    }

    /** Settings without gradient checkpointing. */
    public TrainingSettings(double learningRate, LrSchedule lrSchedule, int lrWarmupSteps, int maxTrainSteps,
                            int trainBatchSize, int gradientAccumulationSteps, double maxGradNorm, long seed,
                            boolean shuffle, NoiseObjective.Prediction prediction, OptionalDouble snrGamma,
                            double noiseOffset) {
        this(learningRate, lrSchedule, lrWarmupSteps, maxTrainSteps, trainBatchSize, gradientAccumulationSteps,
                maxGradNorm, seed, shuffle, prediction, snrGamma, noiseOffset, false);
    }

    /** The same settings with gradient checkpointing on or off. */
    public TrainingSettings withGradientCheckpointing(boolean on) {
        return new TrainingSettings(learningRate, lrSchedule, lrWarmupSteps, maxTrainSteps, trainBatchSize,
                gradientAccumulationSteps, maxGradNorm, seed, shuffle, prediction, snrGamma, noiseOffset, on);
    }

    /** kohya's defaults: lr 1e-4 constant, 1600 steps, batch 1, no accumulation, clipping at 1.0, seed 42, shuffled. */
    public static TrainingSettings defaults() {
        return new TrainingSettings(1e-4, LrSchedule.CONSTANT, 0, 1600, 1, 1, 1.0, 42, true,
                NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(), 0);
    }

    private static void require(boolean ok, String field, Object value, String expected) {
        if (!ok) {
            throw new IllegalArgumentException(field + ": expected " + expected + ", got " + value);
        }
    }

    /** The learning rate of optimizer step {@code step} (from 0). */
    public double learningRate(long step) {
        return lrSchedule.learningRate(step, lrWarmupSteps, maxTrainSteps, learningRate);
    }
}

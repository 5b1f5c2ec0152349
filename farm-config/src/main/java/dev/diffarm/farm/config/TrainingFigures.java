package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * How a training task is learning, carried by its {@code progress} events as {@code "training"}:
 * <pre>{@code
 * "training": {"loss": 0.1432, "smoothedLoss": 0.1511, "learningRate": 0.0001, "secondsPerStep": 1.84, "etaSeconds": 2208}
 * }</pre>
 *
 * @param loss           the step's loss
 * @param smoothedLoss   the loss smoothed over the steps (an exponential moving average, weight 0.9 on the past)
 * @param learningRate   the learning rate of the step
 * @param secondsPerStep the seconds the step took
 * @param etaSeconds     the seconds the remaining steps take at that pace
 */
public record TrainingFigures(double loss, double smoothedLoss, double learningRate, double secondsPerStep,
                              long etaSeconds) {
    public TrainingFigures {
        requireFinite("loss", loss);
        requireFinite("smoothedLoss", smoothedLoss);
        requireFinite("learningRate", learningRate);
        requireFinite("secondsPerStep", secondsPerStep);
        if (etaSeconds < 0) {
            throw new IllegalArgumentException("etaSeconds = " + etaSeconds + ": expected 0 or more");
        }
    }

    /** Whether figures of these values can be made (JSON has no NaN or infinity: a diverged loss is left out). */
    public static boolean representable(double loss, double smoothedLoss, double learningRate, double secondsPerStep) {
        return Double.isFinite(loss) && Double.isFinite(smoothedLoss) && Double.isFinite(learningRate)
                && Double.isFinite(secondsPerStep);
    }

    private static void requireFinite(String field, double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException(field + " = " + value + ": expected a finite number");
        }
    }

    ObjectNode toTree() {
        return Json.object().put("loss", loss).put("smoothedLoss", smoothedLoss).put("learningRate", learningRate)
                .put("secondsPerStep", secondsPerStep).put("etaSeconds", etaSeconds);
    }
}

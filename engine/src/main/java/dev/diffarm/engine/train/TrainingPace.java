package dev.diffarm.engine.train;

import java.util.function.LongSupplier;

/**
 * The figures people watch while a run learns, one set per optimizer step: the loss and the loss smoothed (an
 * exponential moving average with weight 0.9 on the past, as kohya's progress bar), the learning rate, the seconds the
 * step took and the time left at that pace. The CLI's progress line and the farm's progress events both show these.
 */
public final class TrainingPace {
    private static final double SMOOTHING = 0.9;

    private final long total;
    private final LongSupplier nanoClock;
    private long last;
    private double smoothed = Double.NaN;

    /**
     * The figures of one step.
     *
     * @param step           the step just finished, from 1
     * @param total          the run's steps
     * @param loss           the step's loss
     * @param smoothedLoss   the loss smoothed over the steps so far (of this process: a resumed run starts anew)
     * @param learningRate   the learning rate the step used
     * @param gradNorm       the gradients' total norm before clipping
     * @param secondsPerStep the time the step took
     * @param etaSeconds     the time the remaining steps take at that pace
     */
    public record Figures(long step, long total, double loss, double smoothedLoss, double learningRate, double gradNorm,
                          double secondsPerStep, long etaSeconds) {
    }

    /**
     * @param total     the run's steps
     * @param nanoClock the clock steps are timed with ({@code System::nanoTime}); read now as the start of the first
     */
    public TrainingPace(long total, LongSupplier nanoClock) {
        this.total = total;
        this.nanoClock = nanoClock;
        this.last = nanoClock.getAsLong();
    }

    /** The figures of the step {@code report} tells of, just finished. */
    public Figures next(StepReport report) {
        long now = nanoClock.getAsLong();
        double seconds = (now - last) / 1e9;
        last = now;
        smoothed = Double.isNaN(smoothed) ? report.loss() : SMOOTHING * smoothed + (1 - SMOOTHING) * report.loss();
        long eta = Math.round(seconds * (total - report.step()));
        return new Figures(report.step(), total, report.loss(), smoothed, report.lr(), report.gradNorm(), seconds, eta);
    }
}

package dev.diffarm.engine.cli;

import dev.diffarm.engine.train.StepReport;
import java.io.PrintStream;
import java.util.function.Consumer;

/**
 * One line per training step: the step, its loss and the loss smoothed (an exponential moving average with weight
 * 0.9 on the past), the learning rate, the seconds the step took and the time left at that pace.
 */
final class TrainingProgressLine implements Consumer<StepReport> {
    private static final double SMOOTHING = 0.9;
    private final PrintStream out;
    private final long total;
    private long last = System.nanoTime();
    private double smoothed = Double.NaN;

    TrainingProgressLine(PrintStream out, long total) {
        this.out = out;
        this.total = total;
    }

    @Override
    public void accept(StepReport r) {
        long now = System.nanoTime();
        double seconds = (now - last) / 1e9;
        last = now;
        smoothed = Double.isNaN(smoothed) ? r.loss() : SMOOTHING * smoothed + (1 - SMOOTHING) * r.loss();
        long eta = Math.round(seconds * (total - r.step()));
        out.printf("step %d/%d  loss %.5f  smoothed %.5f  lr %.3g  grad_norm %.4g  %.2f s/step  ETA %d:%02d%n", r.step(),
                total, r.loss(), smoothed, r.lr(), r.gradNorm(), seconds, eta / 60, eta % 60);
    }
}

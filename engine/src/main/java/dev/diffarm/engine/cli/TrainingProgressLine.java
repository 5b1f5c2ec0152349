package dev.diffarm.engine.cli;

import dev.diffarm.engine.train.StepReport;
import dev.diffarm.engine.train.TrainingPace;
import java.io.PrintStream;
import java.util.function.Consumer;

/** One line per training step with the {@link TrainingPace} figures: step, loss raw and smoothed, LR, s/step, ETA. */
final class TrainingProgressLine implements Consumer<StepReport> {
    private final PrintStream out;
    private final TrainingPace pace;
    private final String label;

    TrainingProgressLine(PrintStream out, long total) {
        this(out, total, "");
    }

    /** Lines that begin with {@code label} (e.g. which of two runs they report). */
    TrainingProgressLine(PrintStream out, long total, String label) {
        this.out = out;
        this.pace = new TrainingPace(total, System::nanoTime);
        this.label = label;
    }

    @Override
    public void accept(StepReport r) {
        TrainingPace.Figures f = pace.next(r);
        out.printf("%sstep %d/%d  loss %.5f  smoothed %.5f  lr %.3g  grad_norm %.4g  %.2f s/step  ETA %d:%02d%n", label,
                f.step(), f.total(), f.loss(), f.smoothedLoss(), f.learningRate(), f.gradNorm(), f.secondsPerStep(),
                f.etaSeconds() / 60, f.etaSeconds() % 60);
    }
}

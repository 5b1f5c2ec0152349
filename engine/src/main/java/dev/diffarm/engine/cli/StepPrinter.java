package dev.diffarm.engine.cli;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Progress;
import java.io.PrintStream;

/** Progress on a terminal: one line per step with the time it took. */
final class StepPrinter implements Progress {
    private final PrintStream out;
    private long last = System.nanoTime();

    StepPrinter(PrintStream out) {
        this.out = out;
    }

    @Override
    public void onStep(int step, int total, NDArray x) {
        long now = System.nanoTime();
        out.printf("step %d/%d  %.0f ms%n", step + 1, total, (now - last) / 1e6);
        last = now;
    }
}

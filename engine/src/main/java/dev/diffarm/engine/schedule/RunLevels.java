package dev.diffarm.engine.schedule;

import dev.diffarm.api.ModelNoise;
import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.api.Sigmas;
import java.util.Arrays;

/** A {@link NoiseSchedule}'s levels for one run, checked: the levels where the steps start, and the final one. */
record RunLevels(double[] starts, double last) {

    static RunLevels of(NoiseSchedule schedule, int steps, ModelNoise noise) {
        Sigmas levels = schedule.sigmas(steps, noise);
        if (levels == null || levels.steps() != steps) {
            throw new IllegalStateException("noise schedule '" + schedule.name() + "' gave "
                    + (levels == null ? "no levels" : levels.steps() + 1 + " levels") + " for " + steps
                    + " steps: expected " + (steps + 1));
        }
        double[] all = levels.toArray();
        return new RunLevels(Arrays.copyOf(all, steps), levels.last());
    }
}

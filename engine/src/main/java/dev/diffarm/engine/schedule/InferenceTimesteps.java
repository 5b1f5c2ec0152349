package dev.diffarm.engine.schedule;

import dev.diffarm.engine.schedule.SchedulerConfig.TimestepSpacing;
import java.util.Arrays;

/**
 * The timesteps of {@code set_timesteps(n)}, highest first, by {@code timestep_spacing}. diffusers spells the
 * three spacings out again in every scheduler class, in three variants that differ in rounding and in the
 * number of points they divide the range into; each variant is one method here.
 */
final class InferenceTimesteps {
    private InferenceTimesteps() {
    }

    /** DDIMScheduler and PNDMScheduler: {@code n} integer timesteps. */
    static long[] ddim(SchedulerConfig config, int n) {
        int trainSteps = config.numTrainTimesteps();
        return withinTraining(config, switch (config.timestepSpacing()) {
            case LINSPACE -> descending(rounded(Numpy.linspace(0, trainSteps - 1, n)));
            case LEADING -> leading(n, trainSteps / n, config.stepsOffset());
            case TRAILING -> trailing(trainSteps, trainSteps, n);
        });
    }

    /**
     * The K-Diffusion-style classes (Euler, Euler a, LMS, Heun, DPM2, DPM2 a): {@code n} float32 timesteps,
     * not rounded for {@code linspace}.
     */
    static float[] kDiffusion(SchedulerConfig config, int n) {
        int trainSteps = config.numTrainTimesteps();
        if (config.timestepSpacing() == TimestepSpacing.LINSPACE) {
            double[] ascending = Numpy.linspace(0, trainSteps - 1, n);
            float[] timesteps = new float[n];
            for (int i = 0; i < n; i++) {
                timesteps[i] = (float) ascending[n - 1 - i];
            }
            return timesteps;
        }
        long[] integral = config.timestepSpacing() == TimestepSpacing.LEADING
                ? leading(n, trainSteps / n, config.stepsOffset())
                : trailing(trainSteps, trainSteps, n);
        float[] timesteps = new float[integral.length];
        for (int i = 0; i < integral.length; i++) {
            timesteps[i] = integral[i];
        }
        return timesteps;
    }

    /**
     * The multistep solvers (DPM-Solver, UniPC): the range divided into {@code n + 1} points of which the
     * lowest is dropped, so that the last step does not start at timestep 0.
     *
     * @param lastTimestep one past the highest timestep used: {@code num_train_timesteps}, or less where
     *                     DPM-Solver clips the log-SNR
     */
    static long[] multistep(SchedulerConfig config, int n, int lastTimestep) {
        int trainSteps = config.numTrainTimesteps();
        return withinTraining(config, switch (config.timestepSpacing()) {
            case LINSPACE -> dropLast(descending(rounded(Numpy.linspace(0, lastTimestep - 1, n + 1))));
            case LEADING -> dropLast(leading(n + 1, lastTimestep / (n + 1), config.stepsOffset()));
            case TRAILING -> trailing(lastTimestep, trainSteps, n);
        });
    }

    /** Integer timesteps index {@code alphas_cumprod}; diffusers fails on one outside it, so does this. */
    private static long[] withinTraining(SchedulerConfig config, long[] timesteps) {
        for (long t : timesteps) {
            if (t < 0 || t >= config.numTrainTimesteps()) {
                throw new IllegalArgumentException("timestep " + t + " (timestep_spacing = "
                        + config.timestepSpacing().jsonName() + ", steps_offset = " + config.stepsOffset()
                        + ") is outside the training timesteps 0.." + (config.numTrainTimesteps() - 1));
            }
        }
        return timesteps;
    }

    /** {@code (np.arange(0, count) * ratio)[::-1] + offset}. */
    private static long[] leading(int count, int ratio, int offset) {
        long[] timesteps = new long[count];
        for (int i = 0; i < count; i++) {
            timesteps[i] = (long) (count - 1 - i) * ratio + offset;
        }
        return timesteps;
    }

    /** {@code np.arange(from, 0, -trainSteps / n).round() - 1}. */
    private static long[] trailing(int from, int trainSteps, int n) {
        double[] points = Numpy.arange(from, 0, -((double) trainSteps / n));
        long[] timesteps = new long[points.length];
        for (int i = 0; i < points.length; i++) {
            timesteps[i] = (long) Numpy.round(points[i]) - 1;
        }
        return timesteps;
    }

    private static long[] rounded(double[] values) {
        long[] result = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (long) Numpy.round(values[i]);
        }
        return result;
    }

    private static long[] descending(long[] ascending) {
        long[] result = new long[ascending.length];
        for (int i = 0; i < ascending.length; i++) {
            result[i] = ascending[ascending.length - 1 - i];
        }
        return result;
    }

    private static long[] dropLast(long[] values) {
        return Arrays.copyOf(values, values.length - 1);
    }
}

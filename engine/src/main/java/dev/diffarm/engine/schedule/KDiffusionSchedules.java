package dev.diffarm.engine.schedule;

import dev.diffarm.api.ModelNoise;
import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.api.Sigmas;
import dev.diffarm.engine.schedule.SchedulerConfig.FinalSigmasType;
import dev.diffarm.engine.schedule.SchedulerConfig.InterpolationType;
import dev.diffarm.engine.schedule.SchedulerConfig.PredictionType;
import dev.diffarm.engine.schedule.SchedulerConfig.TimestepSpacing;
import dev.diffarm.engine.schedule.SchedulerConfig.TimestepType;
import java.util.function.DoubleUnaryOperator;

/**
 * The K-Diffusion-style classes, which work in sigma form: Euler, Euler a, LMS, Heun, DPM2 (KDPM2) and
 * DPM2 a. Their sigmas are the training sigmas interpolated at the timesteps, or Karras levels between the
 * first and last of those, then 0; stored as float32.
 */
final class KDiffusionSchedules {
    /** How LMS, Heun and Euler a store the timesteps of levels off the training grid: as they are. */
    static final DoubleUnaryOperator FRACTIONAL = t -> t;
    /** How DPM2 and DPM2 a store them. */
    static final DoubleUnaryOperator ROUNDED = Numpy::round;

    private KDiffusionSchedules() {
    }

    static Schedule euler(SchedulerConfig config, TrainingSchedule training, int n) {
        checkEuler(config);
        double last = config.finalSigmasType() == FinalSigmasType.SIGMA_MIN ? training.sigma(0) : 0;
        if (config.useKarrasSigmas()) {
            ModelNoise range = eulerRange(config, training, n);
            return relevelled(config, training, KarrasSigmas.between(range.sigmaMin(), range.sigmaMax(), n), last,
                    Numpy::float32);
        }
        float[] timesteps = InferenceTimesteps.kDiffusion(config, n);
        return schedule(config, training, widened(timesteps), interpolated(training, timesteps), last);
    }

    /** Euler on {@code levels}' levels, placed within {@code sigma_min}..{@code sigma_max} where the config has them. */
    static Schedule euler(SchedulerConfig config, TrainingSchedule training, int n, NoiseSchedule levels) {
        checkEuler(config);
        RunLevels run = RunLevels.of(levels, n, eulerRange(config, training, n));
        return relevelled(config, training, run.starts(), run.last(), Numpy::float32);
    }

    private static void checkEuler(SchedulerConfig config) {
        if (config.interpolationType() == InterpolationType.LOG_LINEAR) {
            throw new UnsupportedOperationException("EulerDiscreteScheduler with interpolation_type = log_linear: "
                    + "diffusers 0.29.2 gives n + 1 ascending sigmas there, which no sampler can walk");
        }
        if (config.timestepType() == TimestepType.CONTINUOUS && config.predictionType() == PredictionType.V_PREDICTION) {
            throw new UnsupportedOperationException("EulerDiscreteScheduler with timestep_type = continuous and "
                    + "v_prediction (EDM-style timesteps 0.25 * ln(sigma)) is not supported");
        }
    }

    /** Where Euler's Karras levels go: the config's {@code sigma_min} and {@code sigma_max}, else its own range. */
    private static ModelNoise eulerRange(SchedulerConfig config, TrainingSchedule training, int n) {
        double[] own = interpolated(training, InferenceTimesteps.kDiffusion(config, n));
        return training.noiseBetween(config.sigmaMin().orElse(own[n - 1]), config.sigmaMax().orElse(own[0]));
    }

    /** EulerAncestralDiscreteScheduler has no Karras option. */
    static Schedule eulerAncestral(SchedulerConfig config, TrainingSchedule training, int n) {
        float[] timesteps = InferenceTimesteps.kDiffusion(config, n);
        return schedule(config, training, widened(timesteps), interpolated(training, timesteps), 0);
    }

    /** With Karras sigmas LMS keeps the fractional float64 timesteps. */
    static Schedule lms(SchedulerConfig config, TrainingSchedule training, int n) {
        return withOptionalKarras(config, training, n, FRACTIONAL);
    }

    /** Heun's plain levels; diffusers repeats each inner one, for the corrector's model call. */
    static Schedule heun(SchedulerConfig config, TrainingSchedule training, int n) {
        return withOptionalKarras(config, training, n, FRACTIONAL);
    }

    /**
     * DPM2 and DPM2 a share their plain levels; diffusers interleaves them with the midpoint levels, whose
     * timesteps {@link Schedule#timestepOf} gives. With Karras sigmas they round the timesteps.
     */
    static Schedule kdpm2(SchedulerConfig config, TrainingSchedule training, int n) {
        return withOptionalKarras(config, training, n, ROUNDED);
    }

    /**
     * These classes on {@code levels}' levels, placed between the first and last of their own levels (where
     * diffusers' Karras option places its levels), the timesteps stored as {@code storedTimestep} says.
     */
    static Schedule withLevels(SchedulerConfig config, TrainingSchedule training, int n, NoiseSchedule levels,
                               DoubleUnaryOperator storedTimestep) {
        RunLevels run = RunLevels.of(levels, n, ownRange(config, training, n));
        return relevelled(config, training, run.starts(), run.last(), storedTimestep);
    }

    private static Schedule withOptionalKarras(SchedulerConfig config, TrainingSchedule training, int n,
                                               DoubleUnaryOperator karrasTimestep) {
        if (config.useKarrasSigmas()) {
            ModelNoise range = ownRange(config, training, n);
            return relevelled(config, training, KarrasSigmas.between(range.sigmaMin(), range.sigmaMax(), n), 0,
                    karrasTimestep);
        }
        float[] timesteps = InferenceTimesteps.kDiffusion(config, n);
        return schedule(config, training, widened(timesteps), interpolated(training, timesteps), 0);
    }

    /** The first and last of the class's own levels: the training sigmas interpolated at its timesteps. */
    private static ModelNoise ownRange(SchedulerConfig config, TrainingSchedule training, int n) {
        double[] own = interpolated(training, InferenceTimesteps.kDiffusion(config, n));
        return training.noiseBetween(own[n - 1], own[0]);
    }

    /** The schedule of levels that replace the class's own: the UNet timesteps those of the levels. */
    private static Schedule relevelled(SchedulerConfig config, TrainingSchedule training, double[] starts, double last,
                                       DoubleUnaryOperator storedTimestep) {
        return schedule(config, training, training.timestepsOf(starts, storedTimestep), starts, last);
    }

    private static double[] interpolated(TrainingSchedule training, float[] timesteps) {
        double[] trainingSigmas = widened(training.sigmas());
        double[] sigmas = new double[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            sigmas[i] = Numpy.interp(timesteps[i], trainingSigmas);
        }
        return sigmas;
    }

    /** Appends the last level, rounds all to float32, and sets {@code init_noise_sigma} as these classes do. */
    private static Schedule schedule(SchedulerConfig config, TrainingSchedule training, double[] timesteps,
                                     double[] sigmas, double lastSigma) {
        double[] levels = new double[sigmas.length + 1];
        float max = 0;
        for (int i = 0; i < sigmas.length; i++) {
            levels[i] = Numpy.float32(sigmas[i]);
            max = Math.max(max, (float) sigmas[i]);
        }
        levels[sigmas.length] = Numpy.float32(lastSigma);
        // The float32 tensor arithmetic of diffusers' init_noise_sigma property.
        float initNoiseSigma = config.timestepSpacing() == TimestepSpacing.LEADING
                ? (float) Math.sqrt(max * max + 1f)
                : max;
        return new Schedule(timesteps, Sigmas.of(levels), initNoiseSigma, LatentForm.SIGMA, training);
    }

    private static double[] widened(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}

package dev.diffarm.engine.schedule;

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
    private KDiffusionSchedules() {
    }

    static Schedule euler(SchedulerConfig config, TrainingSchedule training, int n) {
        if (config.interpolationType() == InterpolationType.LOG_LINEAR) {
            throw new UnsupportedOperationException("EulerDiscreteScheduler with interpolation_type = log_linear: "
                    + "diffusers 0.29.2 gives n + 1 ascending sigmas there, which no sampler can walk");
        }
        if (config.timestepType() == TimestepType.CONTINUOUS && config.predictionType() == PredictionType.V_PREDICTION) {
            throw new UnsupportedOperationException("EulerDiscreteScheduler with timestep_type = continuous and "
                    + "v_prediction (EDM-style timesteps 0.25 * ln(sigma)) is not supported");
        }
        float[] timesteps = InferenceTimesteps.kDiffusion(config, n);
        double[] sigmas = interpolated(training, timesteps);
        double[] unetTimesteps = widened(timesteps);
        if (config.useKarrasSigmas()) {
            sigmas = KarrasSigmas.between(config.sigmaMin().orElse(sigmas[n - 1]), config.sigmaMax().orElse(sigmas[0]), n);
            unetTimesteps = timestepsOf(training, sigmas, Numpy::float32);
        }
        double last = config.finalSigmasType() == FinalSigmasType.SIGMA_MIN ? training.sigma(0) : 0;
        return schedule(config, training, unetTimesteps, sigmas, last);
    }

    /** EulerAncestralDiscreteScheduler has no Karras option. */
    static Schedule eulerAncestral(SchedulerConfig config, TrainingSchedule training, int n) {
        float[] timesteps = InferenceTimesteps.kDiffusion(config, n);
        return schedule(config, training, widened(timesteps), interpolated(training, timesteps), 0);
    }

    /** With Karras sigmas LMS keeps the fractional float64 timesteps. */
    static Schedule lms(SchedulerConfig config, TrainingSchedule training, int n) {
        return withOptionalKarras(config, training, n, t -> t);
    }

    /** Heun's plain levels; diffusers repeats each inner one, for the corrector's model call. */
    static Schedule heun(SchedulerConfig config, TrainingSchedule training, int n) {
        return withOptionalKarras(config, training, n, t -> t);
    }

    /**
     * DPM2 and DPM2 a share their plain levels; diffusers interleaves them with the midpoint levels, whose
     * timesteps {@link Schedule#timestepOf} gives. With Karras sigmas they round the timesteps.
     */
    static Schedule kdpm2(SchedulerConfig config, TrainingSchedule training, int n) {
        return withOptionalKarras(config, training, n, Numpy::round);
    }

    private static Schedule withOptionalKarras(SchedulerConfig config, TrainingSchedule training, int n,
                                               DoubleUnaryOperator karrasTimestep) {
        float[] timesteps = InferenceTimesteps.kDiffusion(config, n);
        double[] sigmas = interpolated(training, timesteps);
        double[] unetTimesteps = widened(timesteps);
        if (config.useKarrasSigmas()) {
            sigmas = KarrasSigmas.between(sigmas[n - 1], sigmas[0], n);
            unetTimesteps = timestepsOf(training, sigmas, karrasTimestep);
        }
        return schedule(config, training, unetTimesteps, sigmas, 0);
    }

    private static double[] interpolated(TrainingSchedule training, float[] timesteps) {
        double[] trainingSigmas = widened(training.sigmas());
        double[] sigmas = new double[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            sigmas[i] = Numpy.interp(timesteps[i], trainingSigmas);
        }
        return sigmas;
    }

    private static double[] timestepsOf(TrainingSchedule training, double[] sigmas, DoubleUnaryOperator stored) {
        double[] timesteps = new double[sigmas.length];
        for (int i = 0; i < sigmas.length; i++) {
            timesteps[i] = stored.applyAsDouble(training.timestepOf(sigmas[i]));
        }
        return timesteps;
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

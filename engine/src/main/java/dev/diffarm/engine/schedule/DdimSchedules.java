package dev.diffarm.engine.schedule;

import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.api.Sigmas;
import java.util.Arrays;

/**
 * DDIMScheduler and PNDMScheduler (as PLMS). Both work in the variance-preserving form and step from
 * {@code abar[t]} to {@code abar[t - T/n]} (integer division), the last step to {@code abar[0]}, or to 1 with
 * {@code set_alpha_to_one}. In sigma form each level is {@code sqrt((1 - abar) / abar)}, computed in float64
 * from the float32 {@code abar}.
 */
final class DdimSchedules {
    private DdimSchedules() {
    }

    static Schedule ddim(SchedulerConfig config, TrainingSchedule training, int n) {
        return stepToPrevious(config, training, n, "DDIMScheduler");
    }

    /** PLMS's first step calls the UNet twice (at t0 and t1); its other steps, and the levels, are DDIM's. */
    static Schedule plms(SchedulerConfig config, TrainingSchedule training, int n) {
        requireSkipPrkSteps(config);
        return stepToPrevious(config, training, n, "PNDMScheduler");
    }

    /** PLMS on {@code levels}' levels: see {@link #withLevels}. */
    static Schedule plmsWithLevels(SchedulerConfig config, TrainingSchedule training, int n, NoiseSchedule levels) {
        requireSkipPrkSteps(config);
        return withLevels(training, n, levels);
    }

    /**
     * DDIM (or PLMS) on {@code levels}' levels over the whole training range, ending where {@code levels} ends; the
     * UNet timesteps those of the levels, fractional: a level off the integer timesteps gets its own.
     */
    static Schedule withLevels(TrainingSchedule training, int n, NoiseSchedule levels) {
        RunLevels run = RunLevels.of(levels, n, training.noiseOverTrainingRange());
        double[] all = Arrays.copyOf(run.starts(), n + 1);
        all[n] = run.last();
        return new Schedule(training.timestepsOf(run.starts(), t -> t), Sigmas.of(all),
                LatentForm.VARIANCE_PRESERVING.toSigmaForm(all[0]), LatentForm.VARIANCE_PRESERVING, training);
    }

    private static void requireSkipPrkSteps(SchedulerConfig config) {
        if (!config.skipPrkSteps()) {
            throw new UnsupportedOperationException("PNDMScheduler with skip_prk_steps = false: its Runge-Kutta "
                    + "warm-up is not supported; set skip_prk_steps = true (PLMS, as SD 1.x ships it)");
        }
    }

    private static Schedule stepToPrevious(SchedulerConfig config, TrainingSchedule training, int n, String className) {
        long[] timesteps = InferenceTimesteps.ddim(config, n);
        int stride = config.numTrainTimesteps() / n;
        double[] sigmas = new double[timesteps.length + 1];
        for (int i = 0; i < timesteps.length; i++) {
            long t = timesteps[i];
            sigmas[i] = sigmaOf(training.alphaCumprod((int) t));
            long previous = t - stride;
            if (i + 1 < timesteps.length && previous != timesteps[i + 1]) {
                throw new UnsupportedOperationException(className + " with timestep_spacing = "
                        + config.timestepSpacing().jsonName() + " and " + n + " steps goes from timestep " + t
                        + " to " + previous + " (t - num_train_timesteps // steps) but then starts the next step at "
                        + timesteps[i + 1] + ": no single list of noise levels describes that; use leading spacing, "
                        + "or a number of steps that divides " + config.numTrainTimesteps());
            }
        }
        long previous = timesteps[timesteps.length - 1] - stride;
        double finalAlphaCumprod = previous >= 0 ? training.alphaCumprod((int) previous)
                : config.setAlphaToOne() ? 1 : training.alphaCumprod(0);
        sigmas[timesteps.length] = sigmaOf(finalAlphaCumprod);
        if (Double.isInfinite(sigmas[0])) {
            throw new UnsupportedOperationException(className + " starts at timestep " + timesteps[0]
                    + " where alphas_cumprod is 0 (rescale_betas_zero_snr): an infinite sigma has no sigma form");
        }
        return new Schedule(Arrays.stream(timesteps).asDoubleStream().toArray(), Sigmas.of(sigmas),
                LatentForm.VARIANCE_PRESERVING.toSigmaForm(sigmas[0]), LatentForm.VARIANCE_PRESERVING, training);
    }

    private static double sigmaOf(double alphaCumprod) {
        return Math.sqrt((1 - alphaCumprod) / alphaCumprod);
    }
}

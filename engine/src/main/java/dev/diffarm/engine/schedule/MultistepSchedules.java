package dev.diffarm.engine.schedule;

import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.api.Sigmas;
import dev.diffarm.engine.schedule.SchedulerConfig.AlgorithmType;
import dev.diffarm.engine.schedule.SchedulerConfig.FinalSigmasType;

/**
 * The multistep solvers, which work in the variance-preserving form with the sigma of each step taken from
 * their float32 {@code sigmas}: DPMSolverMultistepScheduler (DPM++ 2M, DPM++ 2M SDE) and UniPCMultistepScheduler.
 * Their integer timesteps divide the range into {@code n + 1} points; with Karras (or, for DPM-Solver, Lu)
 * levels the timesteps are those of the levels, rounded.
 */
final class MultistepSchedules {
    private MultistepSchedules() {
    }

    static Schedule dpmSolver(SchedulerConfig config, TrainingSchedule training, int n) {
        boolean firstOrderAlgorithm = config.algorithmType() == AlgorithmType.DPMSOLVER
                || config.algorithmType() == AlgorithmType.SDE_DPMSOLVER;
        if (firstOrderAlgorithm && config.finalSigmasType() == FinalSigmasType.ZERO) {
            throw new IllegalArgumentException("DPMSolverMultistepScheduler: final_sigmas_type = zero is not supported "
                    + "with algorithm_type = " + config.algorithmType().jsonName() + " (diffusers refuses it too): "
                    + "expected final_sigmas_type = sigma_min");
        }
        long[] timesteps = InferenceTimesteps.multistep(config, n, lastTimestep(config, training));
        double[] sigmas;
        double[] unetTimesteps;
        if (config.useKarrasSigmas()) {
            sigmas = KarrasSigmas.between(training.sigma(0), training.sigma(training.size() - 1), n);
            unetTimesteps = training.timestepsOf(sigmas, Numpy::round);
        } else if (config.useLuLambdas()) {
            sigmas = luSigmas(training, n);
            unetTimesteps = training.timestepsOf(sigmas, Numpy::round);
        } else {
            sigmas = trainingSigmasAt(training, timesteps);
            unetTimesteps = widened(timesteps);
        }
        double last = config.finalSigmasType() == FinalSigmasType.SIGMA_MIN ? training.sigma(0) : 0;
        return schedule(training, unetTimesteps, sigmas, last);
    }

    /** In diffusers 0.29.2, UniPC with Karras sigmas ends at the smallest Karras level, whatever final_sigmas_type says. */
    static Schedule uniPc(SchedulerConfig config, TrainingSchedule training, int n) {
        long[] timesteps = InferenceTimesteps.multistep(config, n, config.numTrainTimesteps());
        if (config.useKarrasSigmas()) {
            double[] sigmas = KarrasSigmas.between(training.sigma(0), training.sigma(training.size() - 1), n);
            return schedule(training, training.timestepsOf(sigmas, Numpy::round), sigmas, sigmas[n - 1]);
        }
        double last = config.finalSigmasType() == FinalSigmasType.SIGMA_MIN ? training.sigma(0) : 0;
        return schedule(training, widened(timesteps), trainingSigmasAt(training, timesteps), last);
    }

    /**
     * DPM-Solver or UniPC on {@code levels}' levels over the whole training range (where diffusers' Karras option
     * places its levels), ending where {@code levels} ends; the UNet timesteps those of the levels, rounded.
     */
    static Schedule withLevels(TrainingSchedule training, int n, NoiseSchedule levels) {
        RunLevels run = RunLevels.of(levels, n, training.noiseOverTrainingRange());
        return schedule(training, training.timestepsOf(run.starts(), Numpy::round), run.starts(), run.last());
    }

    /**
     * One past the highest timestep DPM-Solver uses: it leaves out the timesteps whose
     * {@code lambda = ln(alpha_t) - ln(sigma_t)} (float32) is below {@code lambda_min_clipped}.
     */
    private static int lastTimestep(SchedulerConfig config, TrainingSchedule training) {
        int clipped = 0;
        for (float abar : training.alphasCumprod()) {
            float alpha = (float) Math.sqrt(abar);
            float sigma = (float) Math.sqrt(1f - abar);
            float lambda = (float) Math.log(alpha) - (float) Math.log(sigma);
            if (lambda < config.lambdaMinClipped()) {
                clipped++;
            }
        }
        return training.size() - clipped;
    }

    /** Lu et al. (2022): levels evenly spaced in log sigma between the largest and smallest training sigma. */
    private static double[] luSigmas(TrainingSchedule training, int n) {
        double logMax = training.logSigma(training.size() - 1);
        double logMin = training.logSigma(0);
        double[] ramp = Numpy.linspace(0, 1, n);
        double[] sigmas = new double[n];
        for (int i = 0; i < n; i++) {
            sigmas[i] = Math.exp(logMax + ramp[i] * (logMin - logMax));
        }
        return sigmas;
    }

    private static double[] trainingSigmasAt(TrainingSchedule training, long[] timesteps) {
        double[] sigmas = new double[timesteps.length];
        for (int i = 0; i < timesteps.length; i++) {
            sigmas[i] = training.sigma((int) timesteps[i]);
        }
        return sigmas;
    }

    private static Schedule schedule(TrainingSchedule training, double[] timesteps, double[] sigmas, double lastSigma) {
        double[] levels = new double[sigmas.length + 1];
        for (int i = 0; i < sigmas.length; i++) {
            levels[i] = Numpy.float32(sigmas[i]);
        }
        levels[sigmas.length] = Numpy.float32(lastSigma);
        return new Schedule(timesteps, Sigmas.of(levels), LatentForm.VARIANCE_PRESERVING.toSigmaForm(levels[0]),
                LatentForm.VARIANCE_PRESERVING, training);
    }

    private static double[] widened(long[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}

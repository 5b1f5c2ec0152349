package dev.diffarm.engine.schedule;

import dev.diffarm.api.NoiseSchedule;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The diffusers 0.29.2 scheduler classes diffarm reproduces, with the constructor defaults in which each
 * differs from the others and how each treats {@code rescale_betas_zero_snr}.
 */
public enum DiffusersScheduler {
    DDIM("DDIMScheduler", Map.of("timestep_spacing", "leading", "set_alpha_to_one", true, "clip_sample", true),
            TrainingSchedule.ZeroSnr.RESCALE),
    /** PNDM; diffarm runs it as PLMS ({@code skip_prk_steps}). */
    PNDM("PNDMScheduler", Map.of("timestep_spacing", "leading"), TrainingSchedule.ZeroSnr.IGNORE),
    LMS("LMSDiscreteScheduler", Map.of(), TrainingSchedule.ZeroSnr.IGNORE),
    EULER("EulerDiscreteScheduler", Map.of(), TrainingSchedule.ZeroSnr.RESCALE_AND_CLAMP),
    EULER_ANCESTRAL("EulerAncestralDiscreteScheduler", Map.of(), TrainingSchedule.ZeroSnr.RESCALE_AND_CLAMP),
    HEUN("HeunDiscreteScheduler", Map.of("beta_start", 0.00085, "beta_end", 0.012), TrainingSchedule.ZeroSnr.IGNORE),
    KDPM2("KDPM2DiscreteScheduler", Map.of("beta_start", 0.00085, "beta_end", 0.012), TrainingSchedule.ZeroSnr.IGNORE),
    KDPM2_ANCESTRAL("KDPM2AncestralDiscreteScheduler", Map.of("beta_start", 0.00085, "beta_end", 0.012),
            TrainingSchedule.ZeroSnr.IGNORE),
    DPM_SOLVER_MULTISTEP("DPMSolverMultistepScheduler", Map.of(), TrainingSchedule.ZeroSnr.RESCALE_AND_CLAMP),
    UNIPC("UniPCMultistepScheduler", Map.of("solver_type", "bh2"), TrainingSchedule.ZeroSnr.RESCALE_AND_CLAMP);

    private final String className;
    private final Map<String, Object> ownDefaults;
    private final TrainingSchedule.ZeroSnr zeroSnr;

    DiffusersScheduler(String className, Map<String, Object> ownDefaults, TrainingSchedule.ZeroSnr zeroSnr) {
        this.className = className;
        this.ownDefaults = ownDefaults;
        this.zeroSnr = zeroSnr;
    }

    /** The diffusers class name, as in {@code _class_name}. */
    public String className() {
        return className;
    }

    /** Constructor defaults of this class that differ from the ones most classes share. */
    Map<String, Object> ownDefaults() {
        return ownDefaults;
    }

    /** The class named {@code className}, if diffarm knows it. */
    public static Optional<DiffusersScheduler> find(String className) {
        return Arrays.stream(values()).filter(s -> s.className.equals(className)).findFirst();
    }

    /** The class named {@code className}; refused with the list of known classes if diffarm does not know it. */
    public static DiffusersScheduler of(String className) {
        return find(className).orElseThrow(() -> new IllegalArgumentException("scheduler class '" + className
                + "' is not supported: expected one of " + Arrays.stream(values()).map(DiffusersScheduler::className)
                .collect(Collectors.joining(", "))));
    }

    /** The training schedule this class builds from {@code config} in its constructor. */
    public TrainingSchedule trainingSchedule(SchedulerConfig config) {
        return TrainingSchedule.of(config, zeroSnr);
    }

    /**
     * What {@code set_timesteps(steps)} of this class gives for {@code config}, in sigma form.
     *
     * @throws IllegalArgumentException      if {@code steps} is not in 1..num_train_timesteps
     * @throws UnsupportedOperationException for settings this class has that diffarm's samplers cannot follow
     */
    public Schedule schedule(SchedulerConfig config, int steps) {
        checkSteps(config, steps);
        TrainingSchedule training = trainingSchedule(config);
        return switch (this) {
            case DDIM -> DdimSchedules.ddim(config, training, steps);
            case PNDM -> DdimSchedules.plms(config, training, steps);
            case LMS -> KDiffusionSchedules.lms(config, training, steps);
            case EULER -> KDiffusionSchedules.euler(config, training, steps);
            case EULER_ANCESTRAL -> KDiffusionSchedules.eulerAncestral(config, training, steps);
            case HEUN -> KDiffusionSchedules.heun(config, training, steps);
            case KDPM2, KDPM2_ANCESTRAL -> KDiffusionSchedules.kdpm2(config, training, steps);
            case DPM_SOLVER_MULTISTEP -> MultistepSchedules.dpmSolver(config, training, steps);
            case UNIPC -> MultistepSchedules.uniPc(config, training, steps);
        };
    }

    /**
     * This class's schedule with the noise levels {@code levels} places in place of its own: the levels where the
     * class's own Karras option (diffusers' {@code use_karras_sigmas}) would place Karras levels, with the UNet
     * timesteps, initial noise and latent form the class gives such levels. A {@link NoiseSchedule} of Karras
     * levels thus reproduces {@code use_karras_sigmas} for LMS, Heun, DPM2, DPM2 a, Euler, DPM-Solver and UniPC
     * (whose last level it sets itself, where diffusers ends UniPC's Karras levels at the smallest one). Classes
     * without that option (Euler a, DDIM, PLMS) take their own range: k-diffusion-style classes their first and
     * last level, variance-preserving ones the training range.
     *
     * @throws IllegalArgumentException      if {@code steps} is not in 1..num_train_timesteps
     * @throws IllegalStateException         if {@code levels} gives other than {@code steps + 1} levels
     * @throws UnsupportedOperationException for settings of this class diffarm's samplers cannot follow
     */
    public Schedule schedule(SchedulerConfig config, int steps, NoiseSchedule levels) {
        checkSteps(config, steps);
        TrainingSchedule training = trainingSchedule(config);
        return switch (this) {
            case DDIM -> DdimSchedules.withLevels(training, steps, levels);
            case PNDM -> DdimSchedules.plmsWithLevels(config, training, steps, levels);
            case LMS, HEUN, EULER_ANCESTRAL ->
                    KDiffusionSchedules.withLevels(config, training, steps, levels, KDiffusionSchedules.FRACTIONAL);
            case EULER -> KDiffusionSchedules.euler(config, training, steps, levels);
            case KDPM2, KDPM2_ANCESTRAL ->
                    KDiffusionSchedules.withLevels(config, training, steps, levels, KDiffusionSchedules.ROUNDED);
            case DPM_SOLVER_MULTISTEP, UNIPC -> MultistepSchedules.withLevels(training, steps, levels);
        };
    }

    private static void checkSteps(SchedulerConfig config, int steps) {
        if (steps < 1 || steps > config.numTrainTimesteps()) {
            throw new IllegalArgumentException("steps = " + steps + ": expected 1.." + config.numTrainTimesteps()
                    + " (num_train_timesteps)");
        }
    }
}

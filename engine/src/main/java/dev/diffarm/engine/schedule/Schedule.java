package dev.diffarm.engine.schedule;

import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.api.Sigmas;
import java.util.Arrays;
import java.util.Objects;

/**
 * A diffusers scheduler's {@code set_timesteps(n)} in the sigma form diffarm's samplers work in
 * ({@code x = x0 + sigma * eps}, the model fed {@code x / sqrt(sigma^2 + 1)}): step {@code i} goes from
 * {@code sigmas.get(i)} to {@code sigmas.get(i + 1)} and calls the UNet first at {@code timesteps[i]}.
 *
 * <p>Where diffusers lists extra entries for second-order steps (Heun, DPM2, DPM2 a repeat or interleave
 * sigmas and timesteps; PLMS repeats its second timestep), this holds only the {@code n + 1} levels and the
 * {@code n} step-start timesteps: a sampler's other model calls are at levels it computes itself, and
 * {@link #timestepOf} gives their timesteps as diffusers does.
 *
 * @param timesteps      the UNet timestep at the start of each step, as diffusers holds it (float32 or float64
 *                       values; integers for some classes); the UNet's time embedding rounds it to float32
 * @param sigmas         the {@code n + 1} noise levels
 * @param initNoiseSigma what N(0, 1) noise is multiplied by to give the sigma-form latent the run starts from.
 *                       Where diffusers works in the sigma form this is its {@code init_noise_sigma}, which for
 *                       {@code leading} spacing is {@code sqrt(sigma_max^2 + 1)}, not {@code sigma_max}; where
 *                       it works in the variance-preserving form (initial latent = noise) it is
 *                       {@code sqrt(1 + sigmas.get(0)^2)}
 * @param latentForm     the form diffusers' scheduler holds the latent in. When it is variance-preserving and the
 *                       last level is above 0 (DDIM and PLMS with {@code set_alpha_to_one = false}, UniPC with
 *                       Karras sigmas, {@code final_sigmas_type = sigma_min}), the caller turns the final
 *                       sigma-form latent into diffusers' by dividing it by
 *                       {@code latentForm.toSigmaForm(sigmas.last())} = {@code sqrt(1 + sigma_last^2)}
 * @param training       the training schedule, for the timesteps of levels not in {@code sigmas}
 */
public record Schedule(double[] timesteps, Sigmas sigmas, double initNoiseSigma, LatentForm latentForm,
                       TrainingSchedule training) {

    public Schedule {
        Objects.requireNonNull(sigmas, "sigmas");
        Objects.requireNonNull(latentForm, "latentForm");
        Objects.requireNonNull(training, "training");
        if (timesteps.length != sigmas.steps()) {
            throw new IllegalArgumentException(timesteps.length + " timesteps for " + sigmas.steps()
                    + " steps: expected one timestep per step");
        }
        if (!(initNoiseSigma > 0) || Double.isInfinite(initNoiseSigma)) {
            throw new IllegalArgumentException("initNoiseSigma = " + initNoiseSigma + ": expected a finite value > 0");
        }
        timesteps = timesteps.clone();
    }

    /**
     * What diffusers' {@code <config's class>.set_timesteps(steps)} gives, in sigma form.
     *
     * @throws IllegalArgumentException      for an unknown scheduler class or steps outside 1..num_train_timesteps
     * @throws UnsupportedOperationException for settings diffarm's samplers cannot follow (the message says which)
     */
    public static Schedule of(SchedulerConfig config, int steps) {
        return DiffusersScheduler.of(config.className()).schedule(config, steps);
    }

    /**
     * What diffusers' {@code <config's class>.set_timesteps(steps)} gives with its noise levels placed by
     * {@code levels} instead: see {@link DiffusersScheduler#schedule(SchedulerConfig, int, NoiseSchedule)}.
     */
    public static Schedule of(SchedulerConfig config, int steps, NoiseSchedule levels) {
        return DiffusersScheduler.of(config.className()).schedule(config, steps, levels);
    }

    /**
     * The steps from {@code start} on, as diffusers' img2img runs {@code timesteps[t_start:]} of a full schedule:
     * the same levels and timesteps, the first {@code start} steps left out.
     *
     * @throws IllegalArgumentException unless {@code 0 <= start < steps()}
     */
    public Schedule from(int start) {
        if (start < 0 || start >= steps()) {
            throw new IllegalArgumentException("start step " + start + ": expected 0.." + (steps() - 1));
        }
        double[] levels = sigmas.toArray();
        return new Schedule(Arrays.copyOfRange(timesteps, start, timesteps.length),
                Sigmas.of(Arrays.copyOfRange(levels, start, levels.length)), initNoiseSigma, latentForm, training);
    }

    @Override
    public double[] timesteps() {
        return timesteps.clone();
    }

    /** Number of steps. */
    public int steps() {
        return timesteps.length;
    }

    /** The UNet timestep at the start of step {@code step}. */
    public double timestep(int step) {
        return timesteps[step];
    }

    /**
     * The UNet timestep for noise level {@code sigma}: exactly the timestep diffusers pairs with it if it is the
     * start level of a step (the first such step if several share it), otherwise
     * {@link TrainingSchedule#timestepOf} (diffusers' {@code _sigma_to_t}).
     */
    public double timestepOf(double sigma) {
        for (int i = 0; i < timesteps.length; i++) {
            if (sigmas.get(i) == sigma) {
                return timesteps[i];
            }
        }
        return training.timestepOf(sigma);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Schedule s && Arrays.equals(timesteps, s.timesteps)
                && Arrays.equals(sigmas.toArray(), s.sigmas.toArray()) && initNoiseSigma == s.initNoiseSigma
                && latentForm == s.latentForm && training.equals(s.training);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(timesteps), Arrays.hashCode(sigmas.toArray()), initNoiseSigma, latentForm);
    }

    @Override
    public String toString() {
        return "Schedule[timesteps=" + Arrays.toString(timesteps) + ", sigmas=" + sigmas + ", initNoiseSigma="
                + initNoiseSigma + ", latentForm=" + latentForm + "]";
    }
}

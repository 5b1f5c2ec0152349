package dev.diffarm.api;

import java.util.Map;
import java.util.Objects;

/**
 * The diffusers scheduler that runs the same sampling method as a {@link Sampler}: its class and the options a
 * diffusers user passes to {@code <schedulerClass>.from_config(config, **options)} to get it. The engine takes a
 * sampler's "model's own" schedule (its timesteps and noise levels) from this scheduler's {@code set_timesteps},
 * applied to the model's scheduler config, and the scheduler's class name is one more name users may select the
 * sampler by.
 *
 * @param schedulerClass the diffusers class, such as {@code DPMSolverMultistepScheduler}
 * @param options        config entries laid over the model's, such as {@code algorithm_type = sde-dpmsolver++};
 *                       empty for the class's defaults
 */
public record DiffusersEquivalent(String schedulerClass, Map<String, Object> options) {
    public DiffusersEquivalent {
        Objects.requireNonNull(schedulerClass, "schedulerClass");
        if (schedulerClass.isBlank()) {
            throw new IllegalArgumentException("schedulerClass: expected a diffusers scheduler class name, got a blank");
        }
        options = Map.copyOf(options);
    }

    /** The class with its defaults. */
    public static DiffusersEquivalent of(String schedulerClass) {
        return new DiffusersEquivalent(schedulerClass, Map.of());
    }

    /** The class with {@code options} laid over the model's config. */
    public static DiffusersEquivalent of(String schedulerClass, Map<String, Object> options) {
        return new DiffusersEquivalent(schedulerClass, options);
    }
}

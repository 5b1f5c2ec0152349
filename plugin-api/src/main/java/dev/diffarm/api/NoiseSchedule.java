package dev.diffarm.api;

import org.pf4j.ExtensionPoint;

/**
 * A way to place a run's noise levels: turns a step count into {@link Sigmas} within the range of noise levels a
 * model knows. Plugins provide schedules as PF4J extensions ({@code @Extension}). Users select one by
 * {@link #name} (ignoring case) beside a sampler, or by AUTOMATIC1111's combined name, the sampler's name followed
 * by the schedule's ({@code DPM++ 2M Karras}); without one, a sampler walks the model's own schedule (its diffusers
 * scheduler's).
 *
 * <p>A schedule is stateless and may be used by several jobs at once.
 */
public interface NoiseSchedule extends ExtensionPoint {
    /** The name users select it by, as AUTOMATIC1111 spells it in combined sampler names ({@code "Karras"}). */
    String name();

    /**
     * The noise levels of a run.
     *
     * @param steps the number of steps, at least 1
     * @param model the model's noise levels: the range to place them in, and its training levels
     * @return {@code steps + 1} levels from the highest down; the last is usually 0
     */
    Sigmas sigmas(int steps, ModelNoise model);
}

package dev.diffarm.api;

import ai.djl.ndarray.NDArray;
import java.util.List;
import java.util.OptionalDouble;
import org.pf4j.ExtensionPoint;

/**
 * A sampling method: integrates from pure noise to an image latent by calling a {@link Denoiser}. Plugins provide
 * samplers as PF4J extensions ({@code @Extension}); the engine finds them in the loaded plugins and selects one by
 * {@link #name}, by one of its {@link #aliases} or by its {@link #diffusers} class name, ignoring case.
 *
 * <p>A sampler is stateless and may be used by several jobs at once: everything a run needs comes in through
 * {@link #sample}. It must draw noise only from the given {@link NoiseSource}, check
 * {@link Progress#checkCancelled} before each step and report each step through {@link Progress#onStep}. It should
 * run each step inside its own {@code NDScope} so that only the latent handed to the next step survives the step;
 * {@link dev.diffarm.api.sampling.StepLoop} does all of this. The conformance kit
 * ({@link dev.diffarm.api.conformance.SamplerConformance}) checks it.
 */
public interface Sampler extends ExtensionPoint {
    /** The name users select it by, as AUTOMATIC1111 spells it ({@code "Euler a"}). */
    String name();

    /**
     * The diffusers scheduler that runs this method, whose {@code set_timesteps} gives the sampler its noise levels
     * when the user picks no other schedule. A sampler diffusers lacks names the scheduler whose levels suit it,
     * {@code EulerDiscreteScheduler} for one in k-diffusion's style.
     */
    DiffusersEquivalent diffusers();

    /** Other names users may select it by, such as k-diffusion's function ({@code sample_euler_ancestral}). */
    default List<String> aliases() {
        return List.of();
    }

    /**
     * The share of fresh noise this sampler adds per step by default, for a sampler that takes an {@code eta}
     * (1 for ancestral samplers, 0 for DDIM); empty for one that takes none.
     */
    default OptionalDouble eta() {
        return OptionalDouble.empty();
    }

    /**
     * This method with another share of fresh noise per step.
     *
     * @throws IllegalArgumentException      if {@code eta} is outside the range this sampler accepts, naming it
     * @throws UnsupportedOperationException if it takes no eta ({@link #eta} is empty)
     */
    default Sampler withEta(double eta) {
        throw new UnsupportedOperationException(name() + " takes no eta: it adds no noise of its own");
    }

    /**
     * Runs the sampler.
     *
     * @param denoiser the model
     * @param x        the starting latent, already scaled to the first noise level; not closed or changed
     * @param sigmas   the noise levels to walk through
     * @param noise    the job's noise stream (ancestral and SDE samplers draw from it)
     * @param progress step reports and cancellation
     * @return the latent at the last noise level, in the caller's manager
     */
    NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress);
}

package dev.diffarm.samplers.classic;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.sampling.AncestralSampler;
import dev.diffarm.api.sampling.AncestralStep;
import dev.diffarm.api.sampling.Ode;
import dev.diffarm.api.sampling.StepLoop;
import org.pf4j.Extension;

/**
 * DDIM (Song et al. 2021). In the sigma form its update
 * {@code x_prev = sqrt(abar_prev) x0 + sqrt(1 - abar_prev - std^2) eps + std z} with
 * {@code std = eta sqrt((1 - abar_prev) / (1 - abar) (1 - abar / abar_prev))} is exactly an ancestral Euler step
 * whose noise is scaled by {@code eta} ({@link AncestralStep}): {@code std / sqrt(abar_prev)} is its {@code up}
 * and {@code sqrt(1 - abar_prev - std^2) / sqrt(abar_prev)} its {@code down}. At {@code eta = 0} it is a plain
 * Euler step and draws no noise; above 0 it draws one tensor per step, as diffusers' scheduler does.
 *
 * <p>Its schedule ends at the noise level of the first training step, not at 0; the pipeline converts the result
 * back accordingly.
 */
@Extension
public final class Ddim extends AncestralSampler {

    /** Deterministic DDIM ({@code eta = 0}). */
    public Ddim() {
        this(0);
    }

    /**
     * @param eta the share of the ancestral noise, in [0, 1]: 0 is deterministic DDIM, 1 a DDPM-like ancestral step
     * @throws IllegalArgumentException for an eta outside [0, 1]
     */
    public Ddim(double eta) {
        super(eta);
    }

    @Override
    public String name() {
        return "DDIM";
    }

    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("DDIMScheduler");
    }

    @Override
    protected Sampler withNoiseShare(double eta) {
        return new Ddim(eta);
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        return StepLoop.run(x, sigmas, progress, (i, xi) -> {
            double sigma = sigmas.get(i);
            AncestralStep split = AncestralStep.of(sigma, sigmas.get(i + 1), noiseShare());
            NDArray d = Ode.derivative(xi, denoiser.denoise(xi, sigma), sigma);
            NDArray stepped = Ode.euler(xi, d, split.down() - sigma);
            if (noiseShare() == 0) {
                return stepped;
            }
            return stepped.add(noise.next(xi.getManager(), xi.getShape()).mul((float) split.up()));
        });
    }
}

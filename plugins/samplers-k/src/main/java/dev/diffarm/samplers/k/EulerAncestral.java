package dev.diffarm.samplers.k;

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
import java.util.List;
import org.pf4j.Extension;

/**
 * Ancestral Euler ("Euler a", k-diffusion's {@code sample_euler_ancestral}): an Euler step down to
 * {@code sigma_down}, then fresh noise of size {@code sigma_up} brings the latent back up to the next level
 * (see {@link AncestralStep}).
 *
 * <p>One noise tensor is drawn per step, the last included, as diffusers' scheduler does, so the noise stream stays
 * in step with the reference.
 */
@Extension
public final class EulerAncestral extends AncestralSampler {

    /** The full ancestral step ({@code eta = 1}). */
    public EulerAncestral() {
        this(1);
    }

    /**
     * @param eta the share of the ancestral noise, in [0, 1]: 0 is a plain Euler step (noise is still drawn,
     *            and discarded)
     * @throws IllegalArgumentException for an eta outside [0, 1]
     */
    public EulerAncestral(double eta) {
        super(eta);
    }

    @Override
    public String name() {
        return "Euler a";
    }

    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("EulerAncestralDiscreteScheduler");
    }

    @Override
    public List<String> aliases() {
        return List.of("sample_euler_ancestral");
    }

    @Override
    protected Sampler withNoiseShare(double eta) {
        return new EulerAncestral(eta);
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        return StepLoop.run(x, sigmas, progress, (i, xi) -> {
            double sigma = sigmas.get(i);
            AncestralStep split = AncestralStep.of(sigma, sigmas.get(i + 1), noiseShare());
            NDArray d = Ode.derivative(xi, denoiser.denoise(xi, sigma), sigma);
            NDArray stepped = Ode.euler(xi, d, split.down() - sigma);
            return stepped.add(noise.next(xi.getManager(), xi.getShape()).mul((float) split.up()));
        });
    }
}

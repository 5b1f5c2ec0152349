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
 * Ancestral DPM-Solver-2 ("DPM2 a", k-diffusion's {@code sample_dpm_2_ancestral}): a {@link Dpm2} step down to
 * {@code sigma_down}, then fresh noise of size {@code sigma_up} (see {@link AncestralStep}). The last step, to
 * sigma 0, is an Euler step.
 *
 * <p>diffusers' KDPM2AncestralDiscreteScheduler draws a tensor at each of its model calls and uses only the one
 * of the midpoint call; this sampler draws the same tensors in the same order, so that a job's noise stream stays
 * in step with the reference.
 */
@Extension
public final class Dpm2Ancestral extends AncestralSampler {

    /** The full ancestral step ({@code eta = 1}). */
    public Dpm2Ancestral() {
        this(1);
    }

    /**
     * @param eta the share of the ancestral noise, in [0, 1]: 0 is a plain DPM2 step (noise is still drawn,
     *            and discarded)
     * @throws IllegalArgumentException for an eta outside [0, 1]
     */
    public Dpm2Ancestral(double eta) {
        super(eta);
    }

    @Override
    public String name() {
        return "DPM2 a";
    }

    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("KDPM2AncestralDiscreteScheduler");
    }

    @Override
    public List<String> aliases() {
        return List.of("sample_dpm_2_ancestral");
    }

    @Override
    protected Sampler withNoiseShare(double eta) {
        return new Dpm2Ancestral(eta);
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        return StepLoop.run(x, sigmas, progress, (i, xi) -> {
            double sigma = sigmas.get(i);
            AncestralStep split = AncestralStep.of(sigma, sigmas.get(i + 1), noiseShare());
            NDArray d = Ode.derivative(xi, denoiser.denoise(xi, sigma), sigma);
            noise.next(xi.getManager(), xi.getShape());
            if (split.down() == 0) {
                return Ode.euler(xi, d, -sigma);
            }
            double mid = Ode.logMidpoint(sigma, split.down());
            NDArray atMid = Ode.euler(xi, d, mid - sigma);
            NDArray dMid = Ode.derivative(atMid, denoiser.denoise(atMid, mid), mid);
            NDArray fresh = noise.next(xi.getManager(), xi.getShape());
            return Ode.euler(xi, dMid, split.down() - sigma).add(fresh.mul((float) split.up()));
        });
    }
}

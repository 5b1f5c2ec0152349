package dev.diffarm.samplers.k;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.sampling.Ode;
import dev.diffarm.api.sampling.StepLoop;
import java.util.List;
import org.pf4j.Extension;

/**
 * DPM-Solver-2 in Karras et al.'s form (k-diffusion's {@code sample_dpm_2}, diffusers' KDPM2DiscreteScheduler): an
 * Euler step to the midpoint in log sigma, then the whole step with the slope found there. The last step, to
 * sigma 0, stays an Euler step.
 */
@Extension
public final class Dpm2 implements Sampler {
    @Override
    public String name() {
        return "DPM2";
    }

    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("KDPM2DiscreteScheduler");
    }

    @Override
    public List<String> aliases() {
        return List.of("sample_dpm_2");
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        return StepLoop.run(x, sigmas, progress, (i, xi) -> {
            double sigma = sigmas.get(i);
            double next = sigmas.get(i + 1);
            NDArray d = Ode.derivative(xi, denoiser.denoise(xi, sigma), sigma);
            if (next == 0) {
                return Ode.euler(xi, d, next - sigma);
            }
            double mid = Ode.logMidpoint(sigma, next);
            NDArray atMid = Ode.euler(xi, d, mid - sigma);
            NDArray dMid = Ode.derivative(atMid, denoiser.denoise(atMid, mid), mid);
            return Ode.euler(xi, dMid, next - sigma);
        });
    }
}

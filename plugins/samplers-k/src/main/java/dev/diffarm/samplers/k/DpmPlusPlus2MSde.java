package dev.diffarm.samplers.k;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.sampling.AncestralSampler;
import dev.diffarm.api.sampling.History;
import dev.diffarm.api.sampling.StepLoop;
import java.util.List;
import java.util.Map;
import org.pf4j.Extension;

/**
 * The stochastic DPM-Solver++(2M) (Lu et al. 2022; k-diffusion's {@code sample_dpmpp_2m_sde}, midpoint):
 * {@code x_next = r^(1+eta) x + (1 - r^(1+eta)) D + sigma_next sqrt(1 - r^(2 eta)) z} with
 * {@code r = sigma_next / sigma}, where {@code D} is {@link DpmPlusPlus2M}'s estimate and {@code z} fresh noise, one
 * tensor drawn per step. At {@code eta = 1}, the default, this is diffusers' DPMSolverMultistepScheduler with
 * {@code algorithm_type = sde-dpmsolver++}; at {@code eta = 0} it is DPM++ 2M.
 */
@Extension
public final class DpmPlusPlus2MSde extends AncestralSampler {

    /** The full noise of the SDE ({@code eta = 1}), as diffusers runs it. */
    public DpmPlusPlus2MSde() {
        this(1);
    }

    /**
     * @param eta the share of the SDE's noise, in [0, 1]: 0 is DPM++ 2M (noise is still drawn, and discarded)
     * @throws IllegalArgumentException for an eta outside [0, 1]
     */
    public DpmPlusPlus2MSde(double eta) {
        super(eta);
    }

    @Override
    public String name() {
        return "DPM++ 2M SDE";
    }

    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("DPMSolverMultistepScheduler", Map.of("algorithm_type", "sde-dpmsolver++"));
    }

    @Override
    public List<String> aliases() {
        return List.of("sample_dpmpp_2m_sde");
    }

    @Override
    protected Sampler withNoiseShare(double eta) {
        return new DpmPlusPlus2MSde(eta);
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        try (History outputs = new History(1)) {
            return StepLoop.run(x, sigmas, progress, (i, xi) -> {
                double sigma = sigmas.get(i);
                double next = sigmas.get(i + 1);
                NDArray denoised = denoiser.denoise(xi, sigma);
                NDArray target = DpmSolverPlusPlus.estimate(i, sigmas, denoised, outputs);
                outputs.push(denoised);
                NDArray z = noise.next(xi.getManager(), xi.getShape());
                double ratio = next / sigma;
                double eta = noiseShare();
                double decay = Math.pow(ratio, 1 + eta);
                return xi.mul((float) decay).add(target.mul((float) (1 - decay)))
                        .add(z.mul((float) (next * Math.sqrt(1 - Math.pow(ratio, 2 * eta)))));
            });
        }
    }
}

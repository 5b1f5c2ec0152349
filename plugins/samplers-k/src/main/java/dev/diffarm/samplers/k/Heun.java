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
 * Heun's method (Karras et al. 2022, algorithm 1 without churn; k-diffusion's {@code sample_heun}): an Euler
 * step, then the average of the slopes at both ends. The last step, to sigma 0, where the slope is undefined,
 * stays an Euler step.
 */
@Extension
public final class Heun implements Sampler {
    @Override
    public String name() {
        return "Heun";
    }

    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("HeunDiscreteScheduler");
    }

    @Override
    public List<String> aliases() {
        return List.of("sample_heun");
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        return StepLoop.run(x, sigmas, progress, (i, xi) -> {
            double sigma = sigmas.get(i);
            double next = sigmas.get(i + 1);
            double dt = next - sigma;
            NDArray d = Ode.derivative(xi, denoiser.denoise(xi, sigma), sigma);
            NDArray predicted = Ode.euler(xi, d, dt);
            if (next == 0) {
                return predicted;
            }
            NDArray dNext = Ode.derivative(predicted, denoiser.denoise(predicted, next), next);
            return Ode.euler(xi, d.add(dNext), dt / 2);
        });
    }
}

package dev.diffarm.samplers.classic;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.sampling.History;
import dev.diffarm.api.sampling.Ode;
import dev.diffarm.api.sampling.StepLoop;
import org.pf4j.Extension;

/**
 * Pseudo linear multistep (Liu et al. 2022, diffusers' PNDMScheduler with {@code skip_prk_steps}): DDIM steps whose
 * noise estimate is the Adams-Bashforth combination of the last estimates, as if the steps were even, of order 1
 * to 4 as they accumulate. In the sigma form a DDIM step with noise {@code e} is {@code x + (sigma_next - sigma) e}.
 *
 * <p>PNDM's warm-up makes the first step a Heun step (one more model call, at the next level); only the estimate at
 * the start of that step joins the history.
 */
@Extension
public final class Plms implements Sampler {
    /** Adams-Bashforth weights of orders 1 to 4, newest estimate first. */
    private static final double[][] ADAMS_BASHFORTH = {
            {1},
            {3 / 2.0, -1 / 2.0},
            {23 / 12.0, -16 / 12.0, 5 / 12.0},
            {55 / 24.0, -59 / 24.0, 37 / 24.0, -9 / 24.0}};

    @Override
    public String name() {
        return "PLMS";
    }

    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("PNDMScheduler");
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        try (History estimates = new History(ADAMS_BASHFORTH.length)) {
            return StepLoop.run(x, sigmas, progress, (i, xi) -> {
                double sigma = sigmas.get(i);
                double next = sigmas.get(i + 1);
                double dt = next - sigma;
                NDArray e = Ode.derivative(xi, denoiser.denoise(xi, sigma), sigma);
                estimates.push(e);
                if (i == 0 && sigmas.steps() > 1) {
                    NDArray predicted = Ode.euler(xi, e, dt);
                    NDArray eNext = Ode.derivative(predicted, denoiser.denoise(predicted, next), next);
                    return Ode.euler(xi, e.add(eNext), dt / 2);
                }
                double[] weights = ADAMS_BASHFORTH[estimates.size() - 1];
                NDArray combined = estimates.get(0).mul((float) weights[0]);
                for (int j = 1; j < weights.length; j++) {
                    combined = combined.add(estimates.get(j).mul((float) weights[j]));
                }
                return Ode.euler(xi, combined, dt);
            });
        }
    }
}

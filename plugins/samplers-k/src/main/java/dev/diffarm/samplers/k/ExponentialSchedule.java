package dev.diffarm.samplers.k;

import dev.diffarm.api.ModelNoise;
import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.api.Sigmas;
import org.pf4j.Extension;

/**
 * Noise levels evenly spaced in log sigma from {@code sigma_max} down to {@code sigma_min}, then 0 (k-diffusion's
 * {@code get_sigmas_exponential}). Over the training range these are diffusers' {@code use_lu_lambdas} levels, even
 * steps in DPM-Solver's {@code lambda = -log sigma}, and they are computed as diffusers computes those.
 */
@Extension
public final class ExponentialSchedule implements NoiseSchedule {
    @Override
    public String name() {
        return "Exponential";
    }

    @Override
    public Sigmas sigmas(int steps, ModelNoise model) {
        double logMax = Math.log(model.sigmaMax());
        double logMin = Math.log(model.sigmaMin());
        double[] ramp = Ramp.of(steps);
        double[] levels = new double[steps + 1];
        for (int i = 0; i < steps; i++) {
            levels[i] = Math.exp(logMax + ramp[i] * (logMin - logMax));
        }
        return Sigmas.of(levels);
    }
}

package dev.diffarm.samplers.k;

import dev.diffarm.api.ModelNoise;
import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.api.Sigmas;
import org.pf4j.Extension;

/**
 * The noise levels of Karras et al. (2022), eq. 5 (k-diffusion's {@code get_sigmas_karras}): evenly spaced in
 * {@code sigma^(1/rho)} with {@code rho = 7} from {@code sigma_max} down to {@code sigma_min}, then 0. Dense near
 * {@code sigma_min}, where fine detail forms. Computed in float64 as diffusers' {@code use_karras_sigmas} computes it.
 */
@Extension
public final class KarrasSchedule implements NoiseSchedule {
    /** The paper's rho, which k-diffusion, diffusers and AUTOMATIC1111 all use. */
    private static final double RHO = 7.0;

    @Override
    public String name() {
        return "Karras";
    }

    @Override
    public Sigmas sigmas(int steps, ModelNoise model) {
        double minInvRho = Math.pow(model.sigmaMin(), 1 / RHO);
        double maxInvRho = Math.pow(model.sigmaMax(), 1 / RHO);
        double[] ramp = Ramp.of(steps);
        double[] levels = new double[steps + 1];
        for (int i = 0; i < steps; i++) {
            levels[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), RHO);
        }
        return Sigmas.of(levels);
    }
}

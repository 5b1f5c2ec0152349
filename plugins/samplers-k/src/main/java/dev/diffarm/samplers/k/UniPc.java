package dev.diffarm.samplers.k;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.DiffusersEquivalent;
import dev.diffarm.api.NoiseSource;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.sampling.History;
import dev.diffarm.api.sampling.StepLoop;
import org.pf4j.Extension;

/**
 * UniPC (Zhao et al. 2023) as diffusers' UniPCMultistepScheduler runs it by default: data prediction, order 2,
 * {@code B(h) = e^h - 1} (bh2), lower order on the first and last steps. In the sigma form every update is
 * {@link DpmSolverPlusPlus#step}, {@code x_next = r x + (1 - r) D} with {@code r = sigma_next / sigma}, for some
 * estimate {@code D} of the denoised latent:
 * <ul>
 *   <li>the predictor (UniP-2) uses DPM-Solver++(2M)'s midpoint estimate ({@link DpmSolverPlusPlus#midpoint});</li>
 *   <li>the corrector (UniC) redoes the previous step once the model output at its end is known, with
 *       {@code D = m0 + rho_0 (m1 - m0) / r_1 + rho_1 (m_t - m0)} (UniC-1: {@code rho_1 = 1/2}), where
 *       {@code m_t}, {@code m0}, {@code m1} are the model outputs at the end, start and before the start of that step,
 *       {@code r_1} the step before it in log sigma relative to it (negative), and {@code rho} solves UniPC's order
 *       conditions.</li>
 * </ul>
 * The corrected latent is the start of the next step; the model is not called again for it.
 */
@Extension
public final class UniPc implements Sampler {
    @Override
    public String name() {
        return "UniPC";
    }

    @Override
    public DiffusersEquivalent diffusers() {
        return DiffusersEquivalent.of("UniPCMultistepScheduler");
    }

    @Override
    public NDArray sample(Denoiser denoiser, NDArray x, Sigmas sigmas, NoiseSource noise, Progress progress) {
        try (History outputs = new History(2); History starts = new History(1)) {
            return StepLoop.run(x, sigmas, progress, (i, xi) -> {
                double sigma = sigmas.get(i);
                double next = sigmas.get(i + 1);
                NDArray denoised = denoiser.denoise(xi, sigma);
                NDArray start = i == 0 ? xi.duplicate() : corrected(starts.get(0), denoised, outputs, sigmas, i);
                starts.push(start);
                outputs.push(denoised);
                NDArray target = predictorOrder(i, sigmas) == 2
                        ? DpmSolverPlusPlus.midpoint(denoised, outputs.get(1), sigmas.get(i - 1), sigma, next)
                        : denoised;
                return DpmSolverPlusPlus.step(start, target, sigma, next);
            });
        }
    }

    /** 2, except on the first step (no earlier output) and the last ({@code lower_order_final}). */
    private static int predictorOrder(int i, Sigmas sigmas) {
        return i > 0 && i < sigmas.steps() - 1 ? 2 : 1;
    }

    /**
     * UniC of the order the previous step's predictor had: the previous step redone from {@code previousStart}, now
     * that {@code denoised}, the model output at its end, is known. {@code outputs} holds the outputs at its start
     * and, for order 2, before it.
     */
    private static NDArray corrected(NDArray previousStart, NDArray denoised, History outputs, Sigmas sigmas, int i) {
        double from = sigmas.get(i - 1);
        double to = sigmas.get(i);
        NDArray m0 = outputs.get(0);
        NDArray slope = denoised.sub(m0);
        NDArray target;
        if (predictorOrder(i - 1, sigmas) == 1) {
            target = m0.add(slope.mul(0.5f));
        } else {
            double rk = Math.log(from / sigmas.get(i - 2)) / Math.log(from / to);
            double[] rho = correctorWeights(rk, Math.log(to / from));
            NDArray d1 = outputs.get(1).sub(m0).div((float) rk);
            target = m0.add(d1.mul((float) rho[0])).add(slope.mul((float) rho[1]));
        }
        return DpmSolverPlusPlus.step(previousStart, target, from, to);
    }

    /**
     * The order-2 corrector's weights: the solution of {@code [[1, 1], [rk, 1]] rho = [b1, b2]} with
     * {@code b_k = k! hh phi_(k+1)(hh) / B(h)}, {@code hh = -h}, {@code B(h) = e^hh - 1} and the phi functions
     * {@code phi_1(z) = (e^z - 1) / z}, {@code phi_(k+1)(z) = (phi_k(z) - 1/k!) / z}.
     */
    private static double[] correctorWeights(double rk, double hh) {
        double bh = Math.expm1(hh);
        double hhPhi2 = bh / hh - 1;
        double hhPhi3 = hhPhi2 / hh - 0.5;
        double b1 = hhPhi2 / bh;
        double b2 = 2 * hhPhi3 / bh;
        double rho0 = (b1 - b2) / (1 - rk);
        return new double[] {rho0, b1 - rho0};
    }
}

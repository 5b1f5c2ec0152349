package dev.diffarm.samplers.k;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Sigmas;
import dev.diffarm.api.sampling.History;

/**
 * What DPM-Solver++(2M) (Lu et al. 2022) steps share, in the sigma form, where {@code lambda = -log sigma} and a
 * step of {@code h = lambda_next - lambda} scales the latent by {@code sigma_next / sigma = e^-h}.
 */
final class DpmSolverPlusPlus {
    /**
     * diffusers' {@code lower_order_final}: below this many steps the last step is first order even when it ends
     * above sigma 0.
     */
    private static final int LOWER_ORDER_FINAL_BELOW = 15;

    private DpmSolverPlusPlus() {
    }

    /**
     * Whether step {@code i} is second order, as diffusers' DPMSolverMultistepScheduler decides with
     * {@code solver_order = 2} and {@code lower_order_final}: not the first step (there is no earlier model output),
     * and not a last step that ends at sigma 0 or belongs to a short run.
     */
    private static boolean secondOrder(int i, Sigmas sigmas) {
        boolean last = i == sigmas.steps() - 1;
        return i > 0 && !(last && (sigmas.last() == 0 || sigmas.steps() < LOWER_ORDER_FINAL_BELOW));
    }

    /**
     * The estimate of the denoised latent that step {@code i} uses: the model output {@code denoised} itself on
     * first-order steps, else its {@link #midpoint} with the latest of {@code outputs}, the previous step's.
     */
    static NDArray estimate(int i, Sigmas sigmas, NDArray denoised, History outputs) {
        if (!secondOrder(i, sigmas)) {
            return denoised;
        }
        return midpoint(denoised, outputs.get(0), sigmas.get(i - 1), sigmas.get(i), sigmas.get(i + 1));
    }

    /**
     * The first-order data-prediction step from {@code sigma} to {@code next} towards the estimate {@code denoised}
     * (DDIM's step, exact when the denoised latent does not change over the step):
     * {@code x_next = r x + (1 - r) denoised} with {@code r = next / sigma = e^-h}.
     */
    static NDArray step(NDArray x, NDArray denoised, double sigma, double next) {
        double ratio = next / sigma;
        return x.mul((float) ratio).add(denoised.mul((float) (1 - ratio)));
    }

    /**
     * The multistep midpoint estimate of the denoised latent over the step from {@code sigma} to {@code next}:
     * {@code D = denoised + (denoised - previous) / (2 r)} with {@code r = h_previous / h}, the previous model
     * output having been made at {@code sigmaPrevious}.
     */
    static NDArray midpoint(NDArray denoised, NDArray previous, double sigmaPrevious, double sigma, double next) {
        double r = Math.log(sigmaPrevious / sigma) / Math.log(sigma / next);
        return denoised.add(denoised.sub(previous).div((float) (2 * r)));
    }
}

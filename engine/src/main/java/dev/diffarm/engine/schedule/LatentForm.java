package dev.diffarm.engine.schedule;

/**
 * How a diffusers scheduler holds the latent between steps. diffarm's samplers always work in the sigma form;
 * this says how to compare with, or convert to, what diffusers holds (its initial, per-step and final latents).
 */
public enum LatentForm {
    /** {@code x = x0 + sigma * eps}, k-diffusion's form: Euler, Euler a, LMS, Heun, DPM2, DPM2 a. */
    SIGMA {
        @Override
        public double toSigmaForm(double sigma) {
            return 1;
        }
    },
    /**
     * {@code x = sqrt(abar) * x0 + sqrt(1 - abar) * eps} with {@code abar = 1 / (1 + sigma^2)}: DDIM, PLMS,
     * DPM-Solver, UniPC. The sigma-form latent is this one times {@code sqrt(1 + sigma^2)}.
     */
    VARIANCE_PRESERVING {
        @Override
        public double toSigmaForm(double sigma) {
            return Math.sqrt(1 + sigma * sigma);
        }
    };

    /**
     * The factor that turns diffusers' latent at noise level {@code sigma} into diffarm's sigma-form latent;
     * divide by it to go back, as for the final latent of a run that ends above sigma 0.
     */
    public abstract double toSigmaForm(double sigma);
}

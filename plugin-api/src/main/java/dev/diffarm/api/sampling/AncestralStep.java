package dev.diffarm.api.sampling;

/**
 * How an ancestral step from {@code sigma} to {@code next} splits (k-diffusion's {@code get_ancestral_step}): a
 * deterministic step down to {@code down}, then fresh noise of size {@code up} back up to {@code next}, with
 * {@code up^2 + down^2 = next^2} and {@code up = eta * sqrt(next^2 (sigma^2 - next^2) / sigma^2)}. At
 * {@code eta = 1} this is the full ancestral step (Euler a, DPM2 a); {@code eta} in [0, 1] keeps {@code up <= next}.
 *
 * @param up   the standard deviation of the noise added after the step
 * @param down the level the deterministic step goes to
 */
public record AncestralStep(double up, double down) {

    /** The split of the step from {@code sigma} to {@code next} with noise share {@code eta}. */
    public static AncestralStep of(double sigma, double next, double eta) {
        if (eta == 0) {
            return new AncestralStep(0, next);
        }
        double up = eta * Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma));
        return new AncestralStep(up, Math.sqrt(next * next - up * up));
    }

    /**
     * Checks an eta, a sampler's share of fresh noise per step: in [0, 1], where the noise an ancestral step adds
     * never exceeds the next level.
     *
     * @return {@code eta}
     * @throws IllegalArgumentException naming the value otherwise
     */
    public static double checkEta(double eta) {
        if (!(eta >= 0 && eta <= 1)) {
            throw new IllegalArgumentException("eta = " + eta + ": expected a number in 0..1");
        }
        return eta;
    }
}

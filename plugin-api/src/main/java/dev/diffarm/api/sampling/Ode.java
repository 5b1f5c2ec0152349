package dev.diffarm.api.sampling;

import ai.djl.ndarray.NDArray;

/**
 * The probability-flow ODE in the form of Karras et al. (2022): {@code dx/dsigma = (x - denoised(x, sigma)) / sigma},
 * which is the noise {@code eps} of {@code x = x0 + sigma * eps} as the model estimates it.
 */
public final class Ode {
    private Ode() {
    }

    /** {@code d = (x - denoised) / sigma}. */
    public static NDArray derivative(NDArray x, NDArray denoised, double sigma) {
        return x.sub(denoised).div((float) sigma);
    }

    /** An Euler step of size {@code dt} along {@code d}: {@code x + d * dt}. */
    public static NDArray euler(NDArray x, NDArray d, double dt) {
        return x.add(d.mul((float) dt));
    }

    /** The level halfway between {@code a} and {@code b} in log sigma, where DPM2 evaluates its midpoint. */
    public static double logMidpoint(double a, double b) {
        return Math.exp((Math.log(a) + Math.log(b)) / 2);
    }
}

package dev.diffarm.engine.schedule;

/** The noise levels of Karras et al. (2022), eq. 5, as diffusers' {@code _convert_to_karras} computes them. */
final class KarrasSigmas {
    /** The paper's rho, which diffusers fixes. */
    private static final double RHO = 7.0;

    private KarrasSigmas() {
    }

    /** {@code n} levels from {@code sigmaMax} down to {@code sigmaMin}, evenly spaced in {@code sigma^(1/rho)}. */
    static double[] between(double sigmaMin, double sigmaMax, int n) {
        double[] ramp = Numpy.linspace(0, 1, n);
        double minInvRho = Math.pow(sigmaMin, 1 / RHO);
        double maxInvRho = Math.pow(sigmaMax, 1 / RHO);
        double[] sigmas = new double[n];
        for (int i = 0; i < n; i++) {
            sigmas[i] = Math.pow(maxInvRho + ramp[i] * (minInvRho - maxInvRho), RHO);
        }
        return sigmas;
    }
}

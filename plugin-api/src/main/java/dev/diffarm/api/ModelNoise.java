package dev.diffarm.api;

/**
 * The noise levels a {@link NoiseSchedule} places a run's levels among: the range the run should span, and the
 * levels the model was trained on.
 *
 * <p>The range is what the sampler's diffusers scheduler would span with its own Karras levels: the model's
 * smallest and largest training levels for the multistep and DDIM-style schedulers, the first and last of its own
 * inference levels for the k-diffusion-style ones (Euler, LMS, Heun, DPM2), so that a schedule written to
 * k-diffusion's formulas reproduces diffusers' {@code use_karras_sigmas} exactly.
 */
public final class ModelNoise {
    private final double sigmaMin;
    private final double sigmaMax;
    private final double[] trainingSigmas;

    /**
     * @param sigmaMin       the lowest level a run should reach before its final one, greater than 0
     * @param sigmaMax       the level a run should start at, at least {@code sigmaMin} and finite
     * @param trainingSigmas the model's training levels, one per training timestep from timestep 0 up: positive
     *                       and non-decreasing
     * @throws IllegalArgumentException naming the first value that breaks this
     */
    public ModelNoise(double sigmaMin, double sigmaMax, double[] trainingSigmas) {
        if (!(sigmaMin > 0 && sigmaMin <= sigmaMax) || Double.isInfinite(sigmaMax)) {
            throw new IllegalArgumentException("sigmaMin = " + sigmaMin + ", sigmaMax = " + sigmaMax
                    + ": expected 0 < sigmaMin <= sigmaMax < infinity");
        }
        if (trainingSigmas.length == 0) {
            throw new IllegalArgumentException("trainingSigmas: expected one level per training timestep, got none");
        }
        for (int t = 0; t < trainingSigmas.length; t++) {
            if (!(trainingSigmas[t] > 0) || (t > 0 && trainingSigmas[t] < trainingSigmas[t - 1])) {
                throw new IllegalArgumentException("trainingSigmas[" + t + "] = " + trainingSigmas[t]
                        + ": expected positive levels, non-decreasing with the timestep");
            }
        }
        this.sigmaMin = sigmaMin;
        this.sigmaMax = sigmaMax;
        this.trainingSigmas = trainingSigmas.clone();
    }

    /** The lowest level a run should reach before its final one. */
    public double sigmaMin() {
        return sigmaMin;
    }

    /** The level a run should start at. */
    public double sigmaMax() {
        return sigmaMax;
    }

    /** The model's training levels, one per training timestep from timestep 0 up. */
    public double[] trainingSigmas() {
        return trainingSigmas.clone();
    }

    @Override
    public String toString() {
        return "ModelNoise[sigmaMin=" + sigmaMin + ", sigmaMax=" + sigmaMax + ", " + trainingSigmas.length
                + " training levels from " + trainingSigmas[0] + " to " + trainingSigmas[trainingSigmas.length - 1] + "]";
    }
}

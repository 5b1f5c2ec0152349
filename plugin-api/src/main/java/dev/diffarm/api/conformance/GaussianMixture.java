package dev.diffarm.api.conformance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.Denoiser;
import java.util.Arrays;
import java.util.Random;

/**
 * Data whose every element is drawn independently from a one-dimensional mixture of Gaussians
 * {@code sum_k w_k N(mu_k, s_k^2)}, with its exact denoiser.
 *
 * <p>At noise level {@code sigma} ({@code x = x0 + sigma * eps}) component {@code k} is {@code N(mu_k, s_k^2 + sigma^2)},
 * so the posterior weight of component {@code k} given {@code x} is
 * {@code r_k(x) ~ w_k N(x; mu_k, s_k^2 + sigma^2)}, and given the component {@code x0} is Gaussian with mean
 * {@code mu_k + s_k^2 / (s_k^2 + sigma^2) (x - mu_k)}. The exact denoiser, {@code E[x0 | x]}, is the
 * {@code r_k}-weighted sum of those means. A sampler that integrates correctly from the noised data turns it back
 * into samples of the mixture.
 */
public final class GaussianMixture {
    private final double[] weights;
    private final double[] means;
    private final double[] stds;

    /**
     * @param weights the components' weights, positive, summing to 1
     * @param means   their means
     * @param stds    their standard deviations, positive
     */
    public GaussianMixture(double[] weights, double[] means, double[] stds) {
        if (weights.length == 0 || means.length != weights.length || stds.length != weights.length) {
            throw new IllegalArgumentException("a mixture needs as many weights, means and stds, at least one each; got "
                    + weights.length + ", " + means.length + ", " + stds.length);
        }
        if (Arrays.stream(weights).anyMatch(w -> !(w > 0)) || Math.abs(Arrays.stream(weights).sum() - 1) > 1e-9) {
            throw new IllegalArgumentException("weights " + Arrays.toString(weights) + ": expected positive, summing to 1");
        }
        if (Arrays.stream(stds).anyMatch(s -> !(s > 0))) {
            throw new IllegalArgumentException("stds " + Arrays.toString(stds) + ": expected positive");
        }
        this.weights = weights.clone();
        this.means = means.clone();
        this.stds = stds.clone();
    }

    /** The mixture's mean, {@code sum_k w_k mu_k}. */
    public double mean() {
        double mean = 0;
        for (int k = 0; k < weights.length; k++) {
            mean += weights[k] * means[k];
        }
        return mean;
    }

    /** The mixture's variance, {@code sum_k w_k (s_k^2 + mu_k^2) - mean^2}. */
    public double variance() {
        double second = 0;
        for (int k = 0; k < weights.length; k++) {
            second += weights[k] * (stds[k] * stds[k] + means[k] * means[k]);
        }
        return second - mean() * mean();
    }

    /** The weight of component {@code k}. */
    public double weight(int k) {
        return weights[k];
    }

    /** Draws {@code n} independent samples. */
    public double[] draw(Random random, int n) {
        double[] samples = new double[n];
        for (int i = 0; i < n; i++) {
            int k = component(random.nextDouble());
            samples[i] = means[k] + stds[k] * random.nextGaussian();
        }
        return samples;
    }

    private int component(double u) {
        double cumulative = 0;
        for (int k = 0; k < weights.length - 1; k++) {
            cumulative += weights[k];
            if (u < cumulative) {
                return k;
            }
        }
        return weights.length - 1;
    }

    /**
     * The posterior weight {@code r_k(x)} of component {@code k} for a noise-free sample {@code x}; its average over
     * samples of the mixture is {@code w_k}.
     */
    public double responsibility(int k, double x) {
        double total = 0;
        double mine = 0;
        for (int j = 0; j < weights.length; j++) {
            double z = (x - means[j]) / stds[j];
            double density = weights[j] / stds[j] * Math.exp(-0.5 * z * z);
            total += density;
            if (j == k) {
                mine = density;
            }
        }
        return total == 0 ? 0 : mine / total;
    }

    /** The exact denoiser {@code E[x0 | x]} of this data, element by element, in float32. */
    public Denoiser denoiser() {
        return this::denoise;
    }

    private NDArray denoise(NDArray x, double sigma) {
        NDManager manager = x.getManager();
        int n = weights.length;
        float[] logPriors = new float[n];
        float[] precisions = new float[n];
        float[] shrinks = new float[n];
        for (int k = 0; k < n; k++) {
            double variance = stds[k] * stds[k] + sigma * sigma;
            logPriors[k] = (float) (Math.log(weights[k]) - 0.5 * Math.log(variance));
            precisions[k] = (float) (1 / variance);
            shrinks[k] = (float) (stds[k] * stds[k] / variance);
        }
        NDArray mu = manager.create(toFloats(means));
        NDArray offset = x.expandDims(-1).sub(mu);
        NDArray logPosterior = offset.square().mul(manager.create(precisions)).mul(-0.5f).add(manager.create(logPriors));
        NDArray componentMeans = offset.mul(manager.create(shrinks)).add(mu);
        return logPosterior.softmax(-1).mul(componentMeans).sum(new int[] {-1});
    }

    private static float[] toFloats(double[] values) {
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }

    @Override
    public String toString() {
        return "GaussianMixture[weights=" + Arrays.toString(weights) + ", means=" + Arrays.toString(means) + ", stds="
                + Arrays.toString(stds) + "]";
    }
}

package dev.diffarm.api.conformance;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The kit's denoiser is the posterior mean of the mixture, worked out here in float64 by Bayes' rule. */
class GaussianMixtureTest {
    private static final GaussianMixture DATA = SamplerConformance.DATA;
    private static final double[] WEIGHTS = {0.25, 0.75};
    private static final double[] MEANS = {-1, 1};
    private static final double[] STDS = {0.6, 0.2};

    @ParameterizedTest
    @ValueSource(doubles = {0.03, 0.5, 1.7, 14.6})
    void denoiserIsThePosteriorMean(double sigma) {
        float[] x = {-3f, -1.2f, -0.4f, 0f, 0.35f, 0.9f, 1.1f, 2.5f};
        try (NDManager manager = NDManager.newBaseManager()) {
            float[] denoised = DATA.denoiser().denoise(manager.create(x), sigma).toFloatArray();
            for (int i = 0; i < x.length; i++) {
                assertEquals(posteriorMean(x[i], sigma), denoised[i], 2e-6 * (1 + Math.abs(x[i])), "x = " + x[i]);
            }
        }
    }

    private static double posteriorMean(double x, double sigma) {
        double evidence = 0;
        double weighted = 0;
        for (int k = 0; k < WEIGHTS.length; k++) {
            double variance = STDS[k] * STDS[k] + sigma * sigma;
            double density = WEIGHTS[k] * Math.exp(-0.5 * (x - MEANS[k]) * (x - MEANS[k]) / variance)
                    / Math.sqrt(2 * Math.PI * variance);
            evidence += density;
            weighted += density * (MEANS[k] + STDS[k] * STDS[k] / variance * (x - MEANS[k]));
        }
        return weighted / evidence;
    }

    @ParameterizedTest
    @ValueSource(longs = {1, 2, 3})
    void drawsHaveTheMixturesStatistics(long seed) {
        double[] samples = DATA.draw(new Random(seed), 200_000);
        double mean = java.util.Arrays.stream(samples).average().orElseThrow();
        double variance = java.util.Arrays.stream(samples).map(v -> (v - mean) * (v - mean)).average().orElseThrow();
        double weight = java.util.Arrays.stream(samples).map(v -> DATA.responsibility(0, v)).average().orElseThrow();
        assertEquals(0.5, DATA.mean(), 1e-12);
        assertEquals(0.25 * (0.36 + 1) + 0.75 * (0.04 + 1) - 0.25, DATA.variance(), 1e-12);
        assertEquals(DATA.mean(), mean, 0.01);
        assertEquals(DATA.variance(), variance, 0.01);
        assertEquals(0.25, weight, 0.005);
    }
}

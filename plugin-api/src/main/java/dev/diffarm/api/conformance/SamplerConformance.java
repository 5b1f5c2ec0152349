package dev.diffarm.api.conformance;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CancellationException;
import java.util.stream.IntStream;

/**
 * The conformance kit: checks a {@link Sampler} against the contract and against data whose exact denoiser is
 * known, with plain {@link AssertionError}s, so that a plugin's own tests can run it under any test framework:
 * <pre>{@code
 * @Test
 * void conforms() {
 *     System.out.println(SamplerConformance.of(new MySampler()).check());
 * }
 * }</pre>
 * {@link #check} runs every check and reports all failures at once; each check can also run alone.
 *
 * <p>The data is {@link #DATA}, elementwise samples of a two-component Gaussian mixture, noised to the first of
 * {@code steps} levels spaced evenly in log sigma over SD 1.x's range ({@value #SIGMA_MAX} down to
 * {@value #SIGMA_MIN}, then 0). With the exact denoiser any error in the output's statistics is the sampler's
 * own. A correct sampler's error shrinks like {@code 1/steps} (first order) or faster, so each statistic passes
 * within {@code c/steps}, plus four standard errors for sampling noise. The constants {@code c} are set between
 * the samplers diffarm ships and an off-by-one sampler (one that calls the model at the next step's level): from
 * 10 to 50 steps the worst shipped sampler, Euler a, stays under 75% of every tolerance, and the off-by-one Euler
 * exceeds one by at least a quarter.
 */
public final class SamplerConformance {
    /** Weights 0.25 / 0.75, means -1 / 1, standard deviations 0.6 / 0.2: unequal, overlapping modes. */
    public static final GaussianMixture DATA = new GaussianMixture(new double[] {0.25, 0.75}, new double[] {-1, 1},
            new double[] {0.6, 0.2});
    /** SD 1.x's largest training noise level. */
    public static final double SIGMA_MAX = 14.6;
    /** Near SD 1.x's smallest training noise level (0.0292). */
    public static final double SIGMA_MIN = 0.03;
    /** The steps of the statistics run unless {@link #steps} says otherwise. */
    public static final int DEFAULT_STEPS = 20;
    /** The step counts the tolerances are set for. */
    public static final int MIN_STEPS = 10;
    public static final int MAX_STEPS = 50;

    /** {@code c} in {@code c/steps} for the mean, the variance and the weight of the first component. */
    private static final double MEAN_PER_STEP = 1.7;
    private static final double VARIANCE_PER_STEP = 4.7;
    private static final double WEIGHT_PER_STEP = 0.72;
    private static final double STANDARD_ERRORS = 4;

    private static final Shape SAMPLES = new Shape(1, 4, 128, 128);
    private static final Shape SMALL = new Shape(1, 4, 8, 8);
    private static final int CONTRACT_STEPS = 12;
    private static final int CANCEL_AFTER = 3;
    private static final int LONG_RUN = 200;

    private final Sampler sampler;
    private final int steps;
    private final long seed;

    private SamplerConformance(Sampler sampler, int steps, long seed) {
        this.sampler = sampler;
        this.steps = steps;
        this.seed = seed;
    }

    /** The kit for {@code sampler}, with {@value #DEFAULT_STEPS} steps and seed 1. */
    public static SamplerConformance of(Sampler sampler) {
        return new SamplerConformance(sampler, DEFAULT_STEPS, 1);
    }

    /**
     * This kit with another number of steps for the statistics run.
     *
     * @throws IllegalArgumentException outside {@value #MIN_STEPS}..{@value #MAX_STEPS}, where the tolerances hold
     */
    public SamplerConformance steps(int steps) {
        if (steps < MIN_STEPS || steps > MAX_STEPS) {
            throw new IllegalArgumentException("steps = " + steps + ": expected " + MIN_STEPS + ".." + MAX_STEPS
                    + ", the step counts the kit's tolerances are set for");
        }
        return new SamplerConformance(sampler, steps, seed);
    }

    /** This kit with another seed for the data and the sampler's noise. */
    public SamplerConformance seed(long seed) {
        return new SamplerConformance(sampler, steps, seed);
    }

    /**
     * Runs every check.
     *
     * @return the measured statistics
     * @throws AssertionError listing every check that failed
     */
    public ConformanceReport check() {
        List<String> failures = new ArrayList<>();
        List<Runnable> checks = List.of(this::checkReportsEveryStep, this::checkDeterministic,
                this::checkStopsWhenCancelled, this::checkNoLeaks);
        for (Runnable check : checks) {
            collect(check, failures);
        }
        ConformanceReport report = measure();
        report.statistics().stream().filter(s -> !s.passed())
                .forEach(s -> failures.add(sampler.name() + ": " + s + " after " + steps + " steps"));
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " conformance failure(s):\n  " + String.join("\n  ", failures));
        }
        return report;
    }

    private static void collect(Runnable check, List<String> failures) {
        try {
            check.run();
        } catch (AssertionError | RuntimeException e) {
            failures.add(e.getClass() == AssertionError.class ? e.getMessage() : e.toString());
        }
    }

    /**
     * The output's mean, variance and weight of the first mixture component, each within its tolerance.
     *
     * @throws AssertionError naming each statistic out of tolerance
     */
    public ConformanceReport checkStatistics() {
        ConformanceReport report = measure();
        List<Statistic> failed = report.statistics().stream().filter(s -> !s.passed()).toList();
        if (!failed.isEmpty()) {
            throw new AssertionError(sampler.name() + " after " + steps + " steps: " + failed);
        }
        return report;
    }

    /** Samples the noised data and measures the output's statistics, asserting nothing. */
    public ConformanceReport measure() {
        double[] samples;
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray out = sampler.sample(DATA.denoiser(), noisedData(manager, SAMPLES), levels(steps),
                    new SeededNoise(seed + 1), Progress.NONE);
            samples = toDoubles(out.toFloatArray());
        }
        return new ConformanceReport(sampler.name(), steps, samples.length, statistics(samples));
    }

    private List<Statistic> statistics(double[] samples) {
        int n = samples.length;
        double mean = Arrays.stream(samples).average().orElseThrow();
        double[] squares = Arrays.stream(samples).map(v -> (v - mean) * (v - mean)).toArray();
        double variance = Arrays.stream(squares).average().orElseThrow();
        double[] weights = Arrays.stream(samples).map(v -> DATA.responsibility(0, v)).toArray();
        double weight = Arrays.stream(weights).average().orElseThrow();
        return List.of(
                new Statistic("mean", DATA.mean(), mean, tolerance(MEAN_PER_STEP, Math.sqrt(variance / n))),
                new Statistic("variance", DATA.variance(), variance,
                        tolerance(VARIANCE_PER_STEP, standardError(squares))),
                new Statistic("weight of component 0", DATA.weight(0), weight,
                        tolerance(WEIGHT_PER_STEP, standardError(weights))));
    }

    private double tolerance(double perStep, double standardError) {
        return perStep / steps + STANDARD_ERRORS * standardError;
    }

    private static double standardError(double[] values) {
        double mean = Arrays.stream(values).average().orElseThrow();
        double variance = Arrays.stream(values).map(v -> (v - mean) * (v - mean)).average().orElseThrow();
        return Math.sqrt(variance / values.length);
    }

    /**
     * Every step reported once, in order, with the run's step count and an open latent of the right shape; the
     * caller's latent left open and unchanged.
     *
     * @throws AssertionError saying what was reported instead
     */
    public void checkReportsEveryStep() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray start = noisedData(manager, SMALL);
            float[] before = start.toFloatArray();
            List<String> reports = new ArrayList<>();
            Progress recorder = new Progress() {
                @Override
                public void onStep(int step, int total, NDArray x) {
                    boolean usable = !x.isReleased() && x.getShape().equals(SMALL);
                    reports.add(step + "/" + total + (usable ? "" : " (latent closed or of shape " + x.getShape() + ")"));
                }
            };
            sampler.sample(DATA.denoiser(), start, levels(CONTRACT_STEPS), new SeededNoise(seed), recorder).close();
            List<String> expected = IntStream.range(0, CONTRACT_STEPS).mapToObj(i -> i + "/" + CONTRACT_STEPS).toList();
            require(reports.equals(expected), "a run of " + CONTRACT_STEPS + " steps reported " + reports
                    + ", expected " + expected);
            require(!start.isReleased() && Arrays.equals(before, start.toFloatArray()),
                    "the caller's starting latent was closed or changed");
        }
    }

    /**
     * The same seed gives the same output, bit for bit.
     *
     * @throws AssertionError if two runs differ
     */
    public void checkDeterministic() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray start = noisedData(manager, SMALL);
            float[] first = sampler.sample(DATA.denoiser(), start, levels(CONTRACT_STEPS), new SeededNoise(seed),
                    Progress.NONE).toFloatArray();
            float[] second = sampler.sample(DATA.denoiser(), start, levels(CONTRACT_STEPS), new SeededNoise(seed),
                    Progress.NONE).toFloatArray();
            require(Arrays.equals(first, second), "two runs with the same seed gave different outputs");
        }
    }

    /**
     * Cancelled once {@value #CANCEL_AFTER} steps are reported, the run throws {@link CancellationException} without calling
     * the model again.
     *
     * @throws AssertionError saying what happened instead
     */
    public void checkStopsWhenCancelled() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray start = noisedData(manager, SMALL);
            List<Integer> reported = new ArrayList<>();
            int[] callsAfterCancel = {0};
            Progress cancelling = new Progress() {
                @Override
                public void onStep(int step, int total, NDArray x) {
                    reported.add(step);
                }

                @Override
                public boolean isCancelled() {
                    return reported.size() >= CANCEL_AFTER;
                }
            };
            Denoiser watched = (x, sigma) -> {
                if (cancelling.isCancelled()) {
                    callsAfterCancel[0]++;
                }
                return DATA.denoiser().denoise(x, sigma);
            };
            try {
                sampler.sample(watched, start, levels(CONTRACT_STEPS), new SeededNoise(seed), cancelling).close();
                throw new AssertionError(sampler.name() + ": cancelled after step " + (CANCEL_AFTER - 1)
                        + ", the run went on to the end (reported steps " + reported + ")");
            } catch (CancellationException expected) {
                require(callsAfterCancel[0] == 0, "cancelled after step " + (CANCEL_AFTER - 1) + ", the run called the "
                        + "model " + callsAfterCancel[0] + " more time(s) before stopping");
                require(reported.size() == CANCEL_AFTER, "cancelled after step " + (CANCEL_AFTER - 1)
                        + ", the run reported steps " + reported);
            }
        }
    }

    /**
     * Nothing a step allocates outlives it: the manager's live arrays are as many after step 10 as after the last
     * step of a {@value #LONG_RUN}-step run, and as many after the run (its result closed) as before it.
     *
     * @throws AssertionError with the counts
     */
    public void checkNoLeaks() {
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray start = noisedData(manager, SMALL);
            int before = manager.getManagedArrays().size();
            List<Integer> live = new ArrayList<>();
            Progress counter = new Progress() {
                @Override
                public void onStep(int step, int total, NDArray x) {
                    live.add(manager.getManagedArrays().size());
                }
            };
            sampler.sample(DATA.denoiser(), start, levels(LONG_RUN), new SeededNoise(seed), counter).close();
            int after = manager.getManagedArrays().size();
            require(live.size() > 10, "a run of " + LONG_RUN + " steps reported " + live.size() + " of them");
            int last = live.get(live.size() - 1);
            require(live.get(9) == last, "live arrays grew from " + live.get(9) + " after step 10 to " + last
                    + " after step " + live.size() + ": a step leaks native memory");
            require(after == before, "live arrays: " + before + " before the run, " + after
                    + " after it with its result closed: the run leaves arrays behind");
        }
    }

    /**
     * {@code steps} levels spaced evenly in log sigma from {@link #SIGMA_MAX} down to {@link #SIGMA_MIN}, then 0.
     */
    public static Sigmas levels(int steps) {
        double[] levels = new double[steps + 1];
        for (int i = 0; i < steps; i++) {
            double fraction = steps == 1 ? 0 : i / (double) (steps - 1);
            levels[i] = SIGMA_MAX * Math.pow(SIGMA_MIN / SIGMA_MAX, fraction);
        }
        return Sigmas.of(levels);
    }

    private NDArray noisedData(NDManager manager, Shape shape) {
        Random random = new Random(seed);
        int n = Math.toIntExact(shape.size());
        double[] data = DATA.draw(random, n);
        float[] noised = new float[n];
        for (int i = 0; i < n; i++) {
            noised[i] = (float) (data[i] + SIGMA_MAX * random.nextGaussian());
        }
        return manager.create(noised, shape);
    }

    private void require(boolean ok, String failure) {
        if (!ok) {
            throw new AssertionError(sampler.name() + ": " + failure);
        }
    }

    private static double[] toDoubles(float[] values) {
        double[] result = new double[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }
}

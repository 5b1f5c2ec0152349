package dev.diffarm.api.conformance;

/**
 * One statistic of a sampler's output against its exact value.
 *
 * @param name      what is measured
 * @param expected  its value for the data distribution
 * @param measured  its value over the sampler's output
 * @param tolerance the largest {@code |measured - expected|} that passes
 */
public record Statistic(String name, double expected, double measured, double tolerance) {

    /** {@code measured - expected}. */
    public double error() {
        return measured - expected;
    }

    public boolean passed() {
        return Math.abs(error()) <= tolerance;
    }

    @Override
    public String toString() {
        return String.format("%s %.4f (exact %.4f, error %+.4f, tolerance %.4f)", name, measured, expected, error(),
                tolerance);
    }
}

package dev.diffarm.engine.train.data;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * How far two 8-bit images are apart, sample by sample.
 *
 * @param max       the largest absolute difference (of 255)
 * @param mean      the mean absolute difference
 * @param differing how many samples differ at all
 * @param samples   how many samples were compared
 */
record SampleDifference(int max, double mean, int differing, int samples) {

    /** Compares {@code mine} with {@code reference}, which must have its size. */
    static SampleDifference between(Rgb8Image mine, Rgb8Image reference) {
        assertEquals(reference.size(), mine.size());
        int max = 0;
        long total = 0;
        int differing = 0;
        for (int i = 0; i < mine.rgb().length; i++) {
            int d = Math.abs((mine.rgb()[i] & 0xff) - (reference.rgb()[i] & 0xff));
            max = Math.max(max, d);
            total += d;
            differing += d == 0 ? 0 : 1;
        }
        return new SampleDifference(max, (double) total / mine.rgb().length, differing, mine.rgb().length);
    }

    @Override
    public String toString() {
        return String.format("max abs difference %d (of 255), mean %.3f, %d of %d samples differ", max, mean,
                differing, samples);
    }
}

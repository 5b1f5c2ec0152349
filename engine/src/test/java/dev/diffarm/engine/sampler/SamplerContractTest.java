package dev.diffarm.engine.sampler;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Denoiser;
import dev.diffarm.api.Progress;
import dev.diffarm.api.Sampler;
import dev.diffarm.api.Sigmas;
import dev.diffarm.engine.random.TorchGenerator;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What the {@code Sampler} contract promises, for every built-in sampler, with the exact denoiser of N(0, 1) data
 * ({@code x0 = x / (1 + sigma^2)}) in place of a model: every step reported in order, a stop when cancelled, the
 * caller's latent left open and unchanged, the same result for the same seed, and no array that outlives its step.
 */
class SamplerContractTest {
    static final Denoiser GAUSSIAN_DATA = (x, sigma) -> x.div((float) (1 + sigma * sigma));
    private static final Shape SHAPE = new Shape(1, 4, 8, 8);

    static Stream<Sampler> samplers() {
        SamplerRegistry registry = SamplerRegistry.builtIn();
        return registry.names().stream().map(name -> registry.resolve(name).sampler()).distinct();
    }

    /** Levels from 14.6 down to 0.03 evenly in log sigma, then 0. */
    private static Sigmas levels(int steps) {
        double[] levels = new double[steps + 1];
        for (int i = 0; i < steps; i++) {
            levels[i] = 14.6 * Math.pow(0.03 / 14.6, i / (double) (steps - 1));
        }
        return Sigmas.of(levels);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplers")
    void reportsEveryStepAndIsDeterministic(Sampler sampler) {
        try (NDManager job = NDManager.newBaseManager()) {
            NDArray start = new TorchGenerator(3).next(job, SHAPE).mul(14.6f);
            float[] before = start.toFloatArray();
            List<Integer> reported = new ArrayList<>();
            Progress recorder = new Progress() {
                @Override
                public void onStep(int step, int total, NDArray x) {
                    assertEquals(12, total);
                    reported.add(step);
                }
            };
            float[] first = sampler.sample(GAUSSIAN_DATA, start, levels(12), new TorchGenerator(5), recorder).toFloatArray();
            float[] second = sampler.sample(GAUSSIAN_DATA, start, levels(12), new TorchGenerator(5), Progress.NONE)
                    .toFloatArray();
            assertEquals(List.of(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11), reported);
            assertArrayEquals(first, second, "the same seed, the same result");
            assertArrayEquals(before, start.toFloatArray(), "the caller's latent, unchanged and open");
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplers")
    void stopsWhenCancelled(Sampler sampler) {
        try (NDManager job = NDManager.newBaseManager()) {
            NDArray start = new TorchGenerator(3).next(job, SHAPE).mul(14.6f);
            List<Integer> reported = new ArrayList<>();
            Progress cancelAfterStep2 = new Progress() {
                @Override
                public void onStep(int step, int total, NDArray x) {
                    reported.add(step);
                }

                @Override
                public boolean isCancelled() {
                    return reported.size() == 3;
                }
            };
            CancellationException e = assertThrows(CancellationException.class,
                    () -> sampler.sample(GAUSSIAN_DATA, start, levels(12), new TorchGenerator(5), cancelAfterStep2));
            assertEquals("cancelled before step 3", e.getMessage());
            assertEquals(List.of(0, 1, 2), reported);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samplers")
    void liveArraysStayFlatOverManySteps(Sampler sampler) {
        int steps = 200;
        try (NDManager job = NDManager.newBaseManager()) {
            NDArray start = new TorchGenerator(3).next(job, SHAPE).mul(14.6f);
            int before = job.getManagedArrays().size();
            List<Integer> live = new ArrayList<>();
            Progress counter = new Progress() {
                @Override
                public void onStep(int step, int total, NDArray x) {
                    live.add(job.getManagedArrays().size());
                }
            };
            sampler.sample(GAUSSIAN_DATA, start, levels(steps), new TorchGenerator(5), counter).close();
            System.out.printf("%s: live arrays after step 10: %d, after step %d: %d, after the run: %d%n", sampler.name(),
                    live.get(9), steps, live.get(steps - 1), job.getManagedArrays().size());
            assertEquals(live.get(9), live.get(steps - 1), "arrays alive in the job's manager");
            assertEquals(before, job.getManagedArrays().size(), "arrays alive after the run, its result closed");
        }
    }
}

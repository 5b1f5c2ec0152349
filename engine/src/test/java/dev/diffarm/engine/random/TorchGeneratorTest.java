package dev.diffarm.engine.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * torch.randn from a seeded CPU generator, against PyTorch 1.13's own draws. The kernel is reproduced
 * operation for operation, so the draws must agree bit for bit; the max abs error is printed as well.
 */
class TorchGeneratorTest {
    private static final String[] SEED_FILES = {"seeds.safetensors", "seeds-edge.safetensors"};
    private static final Pattern FRESH_DRAW = Pattern.compile("seed(\\d+)\\.randn_([0-9x]+)");
    private static final Pattern SEQUENCE_DRAW = Pattern.compile("seed(\\d+)\\.sequence(\\d+)_([0-9x]+)");
    private static final double MAX_ABS_ERROR = 1e-6;
    private static final long RUN_SEED = 42;

    static Stream<Arguments> freshDraws() {
        List<Arguments> cases = new ArrayList<>();
        for (String file : SEED_FILES) {
            try (SafetensorsFile st = SafetensorsFile.open(Fixtures.sdTiny(file))) {
                st.names().stream().filter(name -> FRESH_DRAW.matcher(name).matches()).sorted()
                        .forEach(name -> cases.add(Arguments.of(file, name)));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{1}")
    @MethodSource("freshDraws")
    void freshGeneratorDrawsWhatTorchDraws(String file, String key) {
        Matcher m = FRESH_DRAW.matcher(key);
        assertTrue(m.matches());
        try (SafetensorsFile st = SafetensorsFile.open(Fixtures.sdTiny(file))) {
            long[] shape = st.info(key).shape();
            assertEquals(m.group(2), shapeName(shape), key + ": the key names another shape than the tensor has");
            float[] actual = new TorchGenerator(Long.parseLong(m.group(1))).randn(shape);
            assertIdentical(key, st.floats(key), actual);
        }
    }

    /** Five successive draws from one generator cross both paths, so the state after each path is checked. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {0, 42, 2551426893L})
    void successiveDrawsFollowTorchsState(long seed) {
        try (SafetensorsFile st = SafetensorsFile.open(Fixtures.sdTiny("seeds-edge.safetensors"))) {
            List<String> sequence = st.names().stream()
                    .filter(name -> name.startsWith("seed" + seed + ".sequence") && SEQUENCE_DRAW.matcher(name).matches())
                    .sorted((a, b) -> Integer.compare(sequenceIndex(a), sequenceIndex(b)))
                    .toList();
            assertEquals(5, sequence.size(), "sequence keys for seed " + seed + ": " + sequence);
            TorchGenerator generator = new TorchGenerator(seed);
            for (String key : sequence) {
                assertIdentical(key, st.floats(key), generator.randn(st.info(key).shape()));
            }
        }
    }

    /** Euler a draws the initial latents, then one tensor per step, all from the run's generator. */
    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"run-Euler_a-7steps.safetensors", "run-Euler_a-7steps-34x26.safetensors"})
    void pipelineDrawsFollowTorchsState(String file) {
        try (SafetensorsFile st = SafetensorsFile.open(Fixtures.sdTiny(file))) {
            List<String> draws = st.names().stream().filter(name -> name.matches("noise\\d{3}")).sorted().toList();
            assertEquals(8, draws.size(), file + ": noise draws " + draws);
            TorchGenerator generator = new TorchGenerator(RUN_SEED);
            for (String key : draws) {
                assertIdentical(file + " " + key, st.floats(key), generator.randn(st.info(key).shape()));
            }
            assertArrayEquals(st.floats("noise000"), st.floats("initial_latents"), file + ": initial latents are the first draw");
        }
    }

    @Test
    void sameSeedGivesTheSameStreamAndAnotherSeedAnother() {
        TorchGenerator a = new TorchGenerator(1234);
        TorchGenerator b = new TorchGenerator(1234);
        TorchGenerator c = new TorchGenerator(1235);
        for (long[] shape : new long[][] {{2, 4, 16, 16}, {7}, {1, 4, 13, 17}, {5}}) {
            float[] fromA = a.randn(shape);
            assertArrayEquals(fromA, b.randn(shape), Arrays.toString(shape));
            float[] fromC = c.randn(shape);
            long equal = countEqual(fromA, fromC);
            assertTrue(equal == 0, Arrays.toString(shape) + ": " + equal + " values equal under seeds 1234 and 1235");
        }
    }

    @Test
    void drawsAreNotRepeatedFromCallToCall() {
        TorchGenerator generator = new TorchGenerator(7);
        float[] first = generator.randn(1, 4, 8, 8);
        assertFalse(Arrays.equals(first, generator.randn(1, 4, 8, 8)));
    }

    @Test
    void createsAFloat32NDArrayOfTheDraw() {
        Shape shape = new Shape(1, 4, 13, 17);
        try (NDManager manager = NDManager.newBaseManager()) {
            NDArray noise = new TorchGenerator(42).next(manager, shape);
            assertEquals(DataType.FLOAT32, noise.getDataType());
            assertEquals(shape, noise.getShape());
            assertArrayEquals(new TorchGenerator(42).randn(shape.getShape()), noise.toFloatArray());
        }
    }

    @Test
    void emptyShapesDrawNothingAndLeaveTheStreamAlone() {
        TorchGenerator generator = new TorchGenerator(3);
        assertEquals(0, generator.randn(4, 0, 1000).length);
        assertArrayEquals(new TorchGenerator(3).randn(20), generator.randn(20));
    }

    @Test
    void refusesImpossibleShapes() {
        TorchGenerator generator = new TorchGenerator(0);
        IllegalArgumentException negative = assertThrows(IllegalArgumentException.class, () -> generator.randn(1, -4, 8));
        assertEquals("randn shape [1, -4, 8] has a negative dimension", negative.getMessage());
        IllegalArgumentException huge = assertThrows(IllegalArgumentException.class, () -> generator.randn(1 << 16, 1 << 16));
        assertTrue(huge.getMessage().startsWith("randn shape [65536, 65536] holds more than"), huge.getMessage());
    }

    private static void assertIdentical(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": element count");
        double maxAbsError = 0;
        int differing = 0;
        for (int i = 0; i < expected.length; i++) {
            maxAbsError = Math.max(maxAbsError, Math.abs((double) expected[i] - actual[i]));
            if (Float.floatToIntBits(expected[i]) != Float.floatToIntBits(actual[i])) {
                differing++;
            }
        }
        System.out.printf("parity %s: max abs err %.3g, %d of %d values not bit-identical%n",
                what, maxAbsError, differing, expected.length);
        assertTrue(maxAbsError <= MAX_ABS_ERROR, what + ": max abs error " + maxAbsError);
        assertEquals(0, differing, what + ": values not bit-identical to torch's");
    }

    private static long countEqual(float[] a, float[] b) {
        long equal = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i] == b[i]) {
                equal++;
            }
        }
        return equal;
    }

    private static int sequenceIndex(String key) {
        Matcher m = SEQUENCE_DRAW.matcher(key);
        assertTrue(m.matches(), key);
        return Integer.parseInt(m.group(2));
    }

    private static String shapeName(long[] shape) {
        StringBuilder name = new StringBuilder();
        for (long d : shape) {
            name.append(name.length() == 0 ? "" : "x").append(d);
        }
        return name.toString();
    }
}

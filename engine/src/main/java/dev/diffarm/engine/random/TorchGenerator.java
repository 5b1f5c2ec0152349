package dev.diffarm.engine.random;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.NoiseSource;
import java.util.Arrays;

/**
 * PyTorch's CPU generator as {@code torch.Generator('cpu').manual_seed(seed)} creates it, drawing float32
 * standard normals exactly as {@code torch.randn(shape, generator=g)} does on an AVX2 machine (PyTorch 1.13),
 * call after call: the same seed and the same sequence of shapes give the same bits.
 *
 * <p>torch's CPU {@code normal_} takes one of two paths by the number of elements n:
 * <ul>
 *   <li>n &ge; 16: all n values are first drawn as 24-bit uniforms u; then each block of 16 becomes 16 normals
 *       by Box-Muller in float32, pairing element j with j + 8:
 *       r = sqrt(-2 ln(1 - u<sub>j</sub>)), &theta; = 2&pi; u<sub>j+8</sub>, giving r cos &theta; and r sin &theta;.
 *       When 16 does not divide n, the last 16 elements (the n mod 16 left over and the end of the last whole
 *       block) are drawn again as fresh uniforms and transformed again.</li>
 *   <li>n &lt; 16: each value is a float64 Box-Muller normal rounded to float32: from two 53-bit uniforms
 *       u<sub>1</sub>, u<sub>2</sub>, r = sqrt(-2 ln(1 - u<sub>2</sub>)) and &theta; = 2&pi; u<sub>1</sub>; r cos &theta; is
 *       returned and r sin &theta; kept by the generator, to be returned by the next scalar draw, even one in a
 *       later call (the other path neither uses nor clears it).</li>
 * </ul>
 * The float32 path is torch's AVX2 kernel (see {@link CephesFloatMath}); torch on a CPU without AVX2 differs
 * from it in the last bit of some values.
 *
 * <p>One generator belongs to one job: it is not thread-safe.
 */
public final class TorchGenerator implements NoiseSource {
    /** Below this many elements torch takes the scalar float64 path; it is also the Box-Muller block size. */
    private static final int BLOCK = 16;
    private static final int HALF_BLOCK = BLOCK / 2;
    private static final float TWO_PI = (float) (2 * Math.PI);
    private static final float FLOAT_UNIFORM_SCALE = 0x1p-24f;
    private static final double DOUBLE_UNIFORM_SCALE = 0x1p-53;
    private static final long DOUBLE_MANTISSA_MASK = (1L << 53) - 1;
    private static final long MAX_ELEMENTS = Integer.MAX_VALUE - 8;

    private final MersenneTwister engine;
    private double cachedNormal;
    private boolean hasCachedNormal;

    /** A generator in the state {@code torch.Generator('cpu').manual_seed(seed)} leaves it in. */
    public TorchGenerator(long seed) {
        engine = new MersenneTwister(seed);
    }

    /**
     * Draws {@code torch.randn(shape)}: the values in row-major order.
     *
     * @throws IllegalArgumentException if a dimension is negative or the shape holds more than
     *                                  2<sup>31</sup> - 9 elements (the largest Java array)
     */
    public float[] randn(long... shape) {
        float[] values = new float[elementCount(shape)];
        if (values.length < BLOCK) {
            fillScalar(values);
        } else {
            fillBlocks(values);
        }
        return values;
    }

    /** Draws {@link #randn} of {@code shape} into a new FLOAT32 array of {@code manager}. */
    @Override
    public NDArray next(NDManager manager, Shape shape) {
        return manager.create(randn(shape.getShape()), shape);
    }

    /**
     * Draws {@code torch.randint(low, high, (n,))} (int64): each value is one 32-bit draw modulo the range, plus
     * {@code low}, as torch's CPU kernel does for ranges under 2<sup>32</sup>.
     *
     * @throws IllegalArgumentException if the range is empty or 2<sup>32</sup> or wider
     */
    public long[] randint(long low, long high, int n) {
        long range = high - low;
        if (range <= 0 || range >= (1L << 32)) {
            throw new IllegalArgumentException("randint range [" + low + ", " + high + ") must hold 1 to 2^32 - 1 values");
        }
        long[] values = new long[n];
        for (int i = 0; i < n; i++) {
            values[i] = Integer.toUnsignedLong(engine.nextInt32()) % range + low;
        }
        return values;
    }

    /** The generator's whole state, to continue the same stream later with {@link #restore} (a resumed training run). */
    public State state() {
        return new State(engine.exportState(), cachedNormal, hasCachedNormal);
    }

    /** Continues the stream from {@code saved}: the next draws are those that followed when it was taken. */
    public void restore(State saved) {
        engine.importState(saved.twister());
        cachedNormal = saved.cachedNormal();
        hasCachedNormal = saved.hasCachedNormal();
    }

    /**
     * A generator's state.
     *
     * @param twister         the Mersenne Twister's 624 words and position
     * @param cachedNormal    the second normal of the last scalar Box-Muller pair
     * @param hasCachedNormal whether the next scalar draw returns {@code cachedNormal}
     */
    public record State(int[] twister, double cachedNormal, boolean hasCachedNormal) {
        public State {
            twister = twister.clone();
        }

        @Override
        public int[] twister() {
            return twister.clone();
        }
    }

    private void fillBlocks(float[] values) {
        int n = values.length;
        fillUniform(values, 0, n);
        for (int start = 0; start + BLOCK <= n; start += BLOCK) {
            boxMuller(values, start);
        }
        if (n % BLOCK != 0) {
            int tail = n - BLOCK;
            fillUniform(values, tail, n);
            boxMuller(values, tail);
        }
    }

    private void fillUniform(float[] values, int from, int to) {
        for (int i = from; i < to; i++) {
            values[i] = (engine.nextInt32() & 0xffffff) * FLOAT_UNIFORM_SCALE;
        }
    }

    /** Turns the 16 uniforms at {@code start} into 16 normals, as torch's AVX2 kernel does in float32. */
    private static void boxMuller(float[] values, int start) {
        for (int j = start; j < start + HALF_BLOCK; j++) {
            float u1 = 1f - values[j]; // in (0, 1], so the log is finite
            float u2 = values[j + HALF_BLOCK];
            float radius = (float) Math.sqrt(-2f * CephesFloatMath.log(u1));
            float theta = TWO_PI * u2;
            values[j] = radius * CephesFloatMath.cos(theta);
            values[j + HALF_BLOCK] = radius * CephesFloatMath.sin(theta);
        }
    }

    private void fillScalar(float[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) nextDoubleNormal();
        }
    }

    /** torch's {@code normal_distribution<double>}; StrictMath keeps it identical on every JVM. */
    private double nextDoubleNormal() {
        if (hasCachedNormal) {
            hasCachedNormal = false;
            return cachedNormal;
        }
        double u1 = nextDoubleUniform();
        double u2 = nextDoubleUniform();
        double radius = StrictMath.sqrt(-2 * StrictMath.log(1 - u2));
        double theta = 2 * Math.PI * u1;
        cachedNormal = radius * StrictMath.sin(theta);
        hasCachedNormal = true;
        return radius * StrictMath.cos(theta);
    }

    private double nextDoubleUniform() {
        return (engine.nextLong64() & DOUBLE_MANTISSA_MASK) * DOUBLE_UNIFORM_SCALE;
    }

    private static int elementCount(long[] shape) {
        for (long d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("randn shape " + Arrays.toString(shape) + " has a negative dimension");
            }
            if (d == 0) {
                return 0;
            }
        }
        long n = 1;
        for (long d : shape) {
            if (n > MAX_ELEMENTS / d) {
                throw new IllegalArgumentException("randn shape " + Arrays.toString(shape) + " holds more than "
                        + MAX_ELEMENTS + " elements, the most one float array can");
            }
            n *= d;
        }
        return (int) n;
    }
}

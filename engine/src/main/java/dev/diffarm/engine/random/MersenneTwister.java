package dev.diffarm.engine.random;

import java.util.Arrays;

/**
 * MT19937, the 32-bit Mersenne Twister of Matsumoto and Nishimura, seeded the way PyTorch's
 * {@code CPUGeneratorImpl} seeds its engine: only the low 32 bits of the seed are used, spread over
 * the 624 state words by the standard {@code 1812433253} initialisation recurrence.
 *
 * <p>Not thread-safe: each stream belongs to one job.
 */
public final class MersenneTwister {
    private static final int N = 624;
    private static final int M = 397;
    private static final int MATRIX_A = 0x9908b0df;
    private static final int UPPER_BIT = 0x80000000;
    private static final int LOWER_BITS = 0x7fffffff;

    private final int[] state = new int[N];
    private int next;

    /**
     * Starts the stream torch's {@code Generator.manual_seed(seed)} starts. A negative {@code seed} stands
     * for the unsigned 64-bit value with the same bits, as in torch.
     */
    public MersenneTwister(long seed) {
        state[0] = (int) seed;
        for (int i = 1; i < N; i++) {
            int previous = state[i - 1];
            state[i] = 1812433253 * (previous ^ (previous >>> 30)) + i;
        }
        next = N;
    }

    /** A copy of the whole state: the 624 words, then the position of the next word to temper. */
    public int[] exportState() {
        int[] out = Arrays.copyOf(state, N + 1);
        out[N] = next;
        return out;
    }

    /**
     * Puts the stream back where {@link #exportState} found it.
     *
     * @throws IllegalArgumentException if {@code saved} is not such a state
     */
    public void importState(int[] saved) {
        if (saved.length != N + 1 || saved[N] < 0 || saved[N] > N) {
            throw new IllegalArgumentException("a Mersenne Twister state has " + (N + 1) + " words with a position in 0.."
                    + N + "; got " + saved.length + " words");
        }
        System.arraycopy(saved, 0, state, 0, N);
        next = saved[N];
    }

    /** The next 32 random bits (an unsigned value; read it with {@link Integer#toUnsignedLong}). */
    public int nextInt32() {
        if (next == N) {
            twist();
        }
        int y = state[next++];
        y ^= y >>> 11;
        y ^= (y << 7) & 0x9d2c5680;
        y ^= (y << 15) & 0xefc60000;
        y ^= y >>> 18;
        return y;
    }

    /** 64 random bits made of two draws as torch's {@code random64()} does: the first draw is the high word. */
    public long nextLong64() {
        long high = nextInt32();
        long low = Integer.toUnsignedLong(nextInt32());
        return (high << 32) | low;
    }

    private void twist() {
        for (int i = 0; i < N; i++) {
            int y = (state[i] & UPPER_BIT) | (state[(i + 1) % N] & LOWER_BITS);
            int mixed = state[(i + M) % N] ^ (y >>> 1);
            state[i] = (y & 1) == 0 ? mixed : mixed ^ MATRIX_A;
        }
        next = 0;
    }
}

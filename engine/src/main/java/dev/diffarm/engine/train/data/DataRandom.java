package dev.diffarm.engine.train.data;

import dev.diffarm.engine.random.MersenneTwister;

/**
 * The random draws of the data pipeline: PyTorch's CPU generator ({@code torch.Generator().manual_seed(seed)}, the
 * engine's {@link MersenneTwister}) with torch's algorithms, so that a Python user can replay them.
 *
 * <p>Each epoch has its own generator, seeded with {@code seed + epoch} (kohya seeds Python's {@code random} with
 * {@code seed + epoch} before it shuffles an epoch's buckets). An epoch's draws therefore depend on nothing before
 * it, and resuming mid-run needs only the epoch number, not a saved generator state.
 */
final class DataRandom {
    private static final long MANTISSA_53 = (1L << 53) - 1;
    private static final double UNIT_53 = 0x1p-53;

    private final MersenneTwister engine;

    private DataRandom(long seed) {
        engine = new MersenneTwister(seed);
    }

    /** The generator of {@code epoch} of a run seeded with {@code seed}. */
    static DataRandom forEpoch(long seed, int epoch) {
        return new DataRandom(seed + epoch);
    }

    /**
     * {@code torch.randperm(n, generator=g)} on the CPU for n below 2<sup>32</sup> / 20: starting from 0 .. n - 1,
     * for i = 0 .. n - 2 swap element i with element i + (random() mod (n - i)), random() being the next 32 bits.
     */
    int[] permutation(int n) {
        int[] order = identity(n);
        for (int i = 0; i < n - 1; i++) {
            int z = (int) (Integer.toUnsignedLong(engine.nextInt32()) % (n - i));
            int saved = order[i];
            order[i] = order[i + z];
            order[i + z] = saved;
        }
        return order;
    }

    /** 0, 1, ..., n - 1: the order a permutation starts from, and the order without shuffling. */
    static int[] identity(int n) {
        int[] order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        return order;
    }

    /** A float64 uniform in [0, 1) as torch draws one: 53 bits of the next 64, times 2<sup>-53</sup>. */
    double uniform() {
        return (engine.nextLong64() & MANTISSA_53) * UNIT_53;
    }
}

package dev.diffarm.engine.cli;

import java.util.concurrent.ThreadLocalRandom;

/** The {@code --seed} option's value as the commands use it: -1 picks one at random, as in A1111. */
final class Seeds {
    private Seeds() {
    }

    /** {@code seed}, or a random seed below 2^32 for -1. */
    static long orRandom(long seed) {
        long actual = seed == -1 ? ThreadLocalRandom.current().nextLong(1L << 32) : seed;
        if (actual < 0) {
            throw new IllegalArgumentException("--seed " + seed + ": expected -1 or a seed >= 0");
        }
        return actual;
    }
}

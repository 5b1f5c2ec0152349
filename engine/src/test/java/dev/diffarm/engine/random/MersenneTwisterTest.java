package dev.diffarm.engine.random;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class MersenneTwisterTest {
    /** C++11 [rand.predef] fixes these outputs of the default-seeded (5489) std::mt19937. */
    @Test
    void matchesTheStandardMt19937Outputs() {
        MersenneTwister mt = new MersenneTwister(5489);
        assertEquals(3499211612L, Integer.toUnsignedLong(mt.nextInt32()), "first output");
        for (int i = 2; i < 10000; i++) {
            mt.nextInt32();
        }
        assertEquals(4123659995L, Integer.toUnsignedLong(mt.nextInt32()), "10000th output");
    }

    @Test
    void combinesTwoDrawsHighWordFirst() {
        MersenneTwister words = new MersenneTwister(42);
        long high = Integer.toUnsignedLong(words.nextInt32());
        long low = Integer.toUnsignedLong(words.nextInt32());
        assertEquals((high << 32) | low, new MersenneTwister(42).nextLong64());
    }

    @Test
    void usesOnlyTheLow32BitsOfTheSeedAsTorchDoes() {
        MersenneTwister low = new MersenneTwister(2551426893L);
        MersenneTwister high = new MersenneTwister(2551426893L + (7L << 32));
        MersenneTwister unsignedMinusOne = new MersenneTwister(0xffffffffL);
        MersenneTwister minusOne = new MersenneTwister(-1);
        for (int i = 0; i < 1000; i++) {
            assertEquals(low.nextInt32(), high.nextInt32(), "draw " + i);
            assertEquals(unsignedMinusOne.nextInt32(), minusOne.nextInt32(), "draw " + i);
        }
    }
}

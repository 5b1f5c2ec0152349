package dev.diffarm.engine.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class MemoryTrendTest {
    /** Samples every 500 steps to 10,000; RSS grows 1 MiB per sample, arrays as given. */
    private static List<MemorySample> growing(int arraysAtLast) {
        List<MemorySample> samples = new ArrayList<>();
        for (long step = 500; step <= 10_000; step += 500) {
            samples.add(new MemorySample(step, 100 * 1024 + step / 500 * 1024, 0, 20 * 1048576 + step / 1000 * 1048576,
                    step == 10_000 ? arraysAtLast : 2000));
        }
        return samples;
    }

    @Test
    void growthCountsFromStep1000ToTheLastSample() {
        MemoryTrend trend = new MemoryTrend(growing(2000));
        assertEquals(1000, trend.baseline().step());
        assertEquals(18.0, trend.residentGrowthMib(), 1e-9);
        assertEquals(100.0 * 18 / 102, trend.residentGrowthPercent(), 1e-9);
        assertEquals(18.0 - 9.0, trend.outsideHeapGrowthMib(), 1e-9);
        assertTrue(trend.arraysConstant());
        assertTrue(trend.verdict().contains("live_ndarrays=constant(2000)"), trend.verdict());
    }

    @Test
    void oneMoreArrayAtTheEndIsNotConstant() {
        MemoryTrend trend = new MemoryTrend(growing(2001));
        assertFalse(trend.arraysConstant());
        assertTrue(trend.verdict().contains("live_ndarrays=varied(2000..2001)"), trend.verdict());
    }

    @Test
    void aShortRunCountsFromItsMiddle() {
        List<MemorySample> samples = List.of(new MemorySample(50, 1024, 0, 0, 5), new MemorySample(100, 2048, 0, 0, 5),
                new MemorySample(150, 3072, 0, 0, 5), new MemorySample(200, 4096, 0, 0, 5));
        assertEquals(100, new MemoryTrend(samples).baseline().step());
    }

    @Test
    void oneSampleIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new MemoryTrend(List.of(new MemorySample(1, 1, 1, 1, 1))));
    }
}

package dev.diffarm.engine.bench;

import java.util.List;

/**
 * Whether memory stayed flat over a training run: the resident set's growth from a baseline sample (step 1,000, or
 * half-way through a run of under 2,000 steps: before it the allocator, the JIT and the JVM's first touches of its
 * committed heap still add resident pages) to the last sample, the same for the resident set less the committed heap
 * (the JVM grows its heap towards -Xmx for speed, which is no leak; with {@code -Xms} = {@code -Xmx} and
 * {@code -XX:+AlwaysPreTouch} the heap is resident from the start and the figure is native memory alone), and whether
 * the number of live NDArrays changed at all after the first sample.
 */
public final class MemoryTrend {
    /** The step after which growth counts, in a run of at least 2,000 steps. */
    static final long BASELINE_STEP = 1000;

    private final MemorySample baseline;
    private final MemorySample last;
    private final int fewestArrays;
    private final int mostArrays;

    /** @param samples in step order, at least two */
    public MemoryTrend(List<MemorySample> samples) {
        if (samples.size() < 2) {
            throw new IllegalArgumentException("memory trend: expected at least 2 samples, got " + samples.size());
        }
        this.last = samples.get(samples.size() - 1);
        long from = Math.min(BASELINE_STEP, last.step() / 2);
        this.baseline = samples.stream().filter(s -> s.step() >= from).findFirst().orElseThrow();
        this.fewestArrays = samples.stream().mapToInt(MemorySample::liveArrays).min().orElseThrow();
        this.mostArrays = samples.stream().mapToInt(MemorySample::liveArrays).max().orElseThrow();
    }

    public MemorySample baseline() {
        return baseline;
    }

    public double residentGrowthMib() {
        return (last.residentKib() - baseline.residentKib()) / 1024.0;
    }

    public double residentGrowthPercent() {
        return 100.0 * (last.residentKib() - baseline.residentKib()) / baseline.residentKib();
    }

    /** Growth of the resident set less the committed heap: what native memory (libtorch) added. */
    public double outsideHeapGrowthMib() {
        return last.outsideHeapMib() - baseline.outsideHeapMib();
    }

    /** The same number of live NDArrays at every sample. */
    public boolean arraysConstant() {
        return fewestArrays == mostArrays;
    }

    /** The benchmark's last line. */
    public String verdict() {
        return String.format("verdict rss_growth_mib=%.1f rss_growth_pct=%.2f from_step=%d to_step=%d "
                        + "heap_committed_growth_mib=%.1f rss_outside_heap_growth_mib=%.1f live_ndarrays=%s",
                residentGrowthMib(), residentGrowthPercent(), baseline.step(), last.step(),
                (last.heapCommittedBytes() - baseline.heapCommittedBytes()) / 1048576.0, outsideHeapGrowthMib(),
                arraysConstant() ? "constant(" + mostArrays + ")" : "varied(" + fewestArrays + ".." + mostArrays + ")");
    }
}

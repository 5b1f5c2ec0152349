package dev.diffarm.engine.bench;

/**
 * The process's memory after a training step.
 *
 * @param step          the optimizer step just finished
 * @param residentKib   the resident set size (VmRSS), KiB
 * @param heapUsedBytes the JVM heap in use (total minus free, no collection forced)
 * @param heapCommittedBytes the JVM heap reserved from the OS (it grows towards -Xmx as G1 sizes its young
 *                      generation, and counts in the resident set once touched)
 * @param liveArrays    the NDArrays attached to any DJL manager of the process
 */
public record MemorySample(long step, long residentKib, long heapUsedBytes, long heapCommittedBytes, int liveArrays) {
    /** The line the benchmark prints for it. */
    public String line() {
        return String.format("memory step=%d rss_mib=%.1f heap_used_mib=%.1f heap_committed_mib=%.1f "
                        + "rss_outside_heap_mib=%.1f live_ndarrays=%d", step, residentKib / 1024.0,
                heapUsedBytes / 1048576.0, heapCommittedBytes / 1048576.0, outsideHeapMib(), liveArrays);
    }

    /**
     * The resident set less the committed heap: native memory (libtorch's tensors, the allocator, metaspace, threads)
     * as far as the committed heap is resident, which after the first collections it is.
     */
    public double outsideHeapMib() {
        return residentKib / 1024.0 - heapCommittedBytes / 1048576.0;
    }
}

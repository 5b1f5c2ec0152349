package dev.diffarm.engine.bench;

/**
 * The process's memory after a training step.
 *
 * @param step          the optimizer step just finished
 * @param residentKib   the resident set size (VmRSS), KiB
 * @param heapUsedBytes the JVM heap in use (total minus free, no collection forced)
 * @param liveArrays    the NDArrays attached to any DJL manager of the process
 */
public record MemorySample(long step, long residentKib, long heapUsedBytes, int liveArrays) {
    /** The line the benchmark prints for it. */
    public String line() {
        return String.format("memory step=%d rss_mib=%.1f heap_used_mib=%.1f live_ndarrays=%d", step,
                residentKib / 1024.0, heapUsedBytes / 1048576.0, liveArrays);
    }
}

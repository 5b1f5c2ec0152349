package dev.diffarm.engine.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident set size, now (VmRSS) and at its peak (VmHWM), from Linux's {@code /proc/self/status}; -1 elsewhere. */
public final class ProcessMemory {
    private ProcessMemory() {
    }

    public static long peakResidentMegabytes() {
        long kib = statusKilobytes("VmHWM:");
        return kib < 0 ? -1 : kib / 1024;
    }

    /**
     * Sets the peak back to the resident set size now (Linux's {@code echo 5 > /proc/self/clear_refs}), so that a
     * later {@link #peakResidentMegabytes} is the peak of what ran since.
     *
     * @return false where the peak cannot be reset
     */
    public static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** The resident set size now, in KiB. */
    public static long residentKilobytes() {
        return statusKilobytes("VmRSS:");
    }

    private static long statusKilobytes(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (IOException | NumberFormatException e) {
            return -1;
        }
        return -1;
    }
}

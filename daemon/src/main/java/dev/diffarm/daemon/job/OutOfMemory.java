package dev.diffarm.daemon.job;

import ai.djl.engine.EngineException;
import java.util.Locale;

/**
 * Whether a render failed for want of memory: the engine (libtorch through DJL) says so in an
 * {@link EngineException} somewhere in the cause chain ("CUDA out of memory", or the CPU allocator's "not enough
 * memory"). Such a batch may fit when split; any other failure would fail again.
 */
final class OutOfMemory {
    private OutOfMemory() {
    }

    static boolean caused(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof EngineException && t.getMessage() != null) {
                String message = t.getMessage().toLowerCase(Locale.ROOT);
                if (message.contains("out of memory") || message.contains("not enough memory")) {
                    return true;
                }
            }
        }
        return false;
    }
}

package dev.diffarm.daemon.event;

import java.util.function.LongSupplier;

/**
 * Decides which sampling steps get a {@code progress} event: the first, the last of each task, and others
 * at most {@code perSecond} times a second, so that a fast model on a GPU does not flood the events topic.
 * Used by one thread.
 */
public final class ProgressThrottle {
    private final long intervalNanos;
    private final LongSupplier nanoClock;
    private long lastAdmitted;
    private boolean admittedAny;

    /**
     * @param perSecond most events per second, besides each task's last step
     * @param nanoClock a monotonic clock in nanoseconds ({@code System::nanoTime})
     */
    public ProgressThrottle(double perSecond, LongSupplier nanoClock) {
        if (!(perSecond > 0)) {
            throw new IllegalArgumentException("progress events per second = " + perSecond + ": expected more than 0");
        }
        this.intervalNanos = (long) (1e9 / perSecond);
        this.nanoClock = nanoClock;
    }

    /** Whether this step gets an event; {@code lastOfTask} always does. */
    public boolean admit(boolean lastOfTask) {
        long now = nanoClock.getAsLong();
        if (lastOfTask || !admittedAny || now - lastAdmitted >= intervalNanos) {
            lastAdmitted = now;
            admittedAny = true;
            return true;
        }
        return false;
    }
}

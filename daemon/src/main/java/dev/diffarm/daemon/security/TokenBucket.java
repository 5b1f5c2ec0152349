package dev.diffarm.daemon.security;

import java.util.function.LongSupplier;

/**
 * A token bucket: it holds up to {@code burst} tokens and gains {@code perSecond} of them each second; each request
 * takes one. A quiet caller may send a burst at once, a steady one no faster than the rate.
 */
final class TokenBucket {
    private final double perSecond;
    private final double burst;
    private final LongSupplier nanoTime;
    private double tokens;
    private long updated;

    TokenBucket(double perSecond, int burst, LongSupplier nanoTime) {
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.updated = nanoTime.getAsLong();
    }

    /**
     * Takes a token if there is one.
     *
     * @return 0 when a token was taken, else the nanoseconds until the next one
     */
    synchronized long take() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (now - updated) * perSecond / 1e9);
        updated = now;
        if (tokens >= 1) {
            tokens -= 1;
            return 0;
        }
        return (long) Math.ceil((1 - tokens) / perSecond * 1e9);
    }
}

package dev.diffarm.daemon.security;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How fast each tenant may submit jobs: a {@link TokenBucket} per tenant, on every submission whether valid or not
 * (reading a hostile body is the cost it bounds). Tenants are few (the keys file's, or {@code local}): their buckets
 * are kept.
 */
public final class SubmissionRate {
    /** The settings, for messages. */
    public static final String RATE_SETTING = "DIFFARM_RATE_SUBMISSIONS_PER_SECOND";
    public static final String BURST_SETTING = "DIFFARM_RATE_SUBMISSION_BURST";

    private final double perSecond;
    private final int burst;
    private final LongSupplier nanoTime;
    private final Map<String, TokenBucket> buckets = new ConcurrentHashMap<>();

    /**
     * @param perSecond submissions per second a tenant may sustain, above 0
     * @param burst     submissions a quiet tenant may send at once, at least 1
     */
    public SubmissionRate(double perSecond, int burst, LongSupplier nanoTime) {
        if (!(perSecond > 0) || Double.isInfinite(perSecond)) {
            throw new IllegalArgumentException(RATE_SETTING + " = " + perSecond + ": expected a positive number");
        }
        if (burst < 1) {
            throw new IllegalArgumentException(BURST_SETTING + " = " + burst + ": expected at least 1");
        }
        this.perSecond = perSecond;
        this.burst = burst;
        this.nanoTime = nanoTime;
    }

    /** A submission refused: what to tell the caller, and the whole seconds until it may try again. */
    public record Refusal(String message, long retryAfterSeconds) {
    }

    /** Counts a submission of {@code tenant}; a refusal when it is over its rate. */
    public Optional<Refusal> take(String tenant) {
        long wait = buckets.computeIfAbsent(tenant, name -> new TokenBucket(perSecond, burst, nanoTime)).take();
        if (wait == 0) {
            return Optional.empty();
        }
        long seconds = Math.max(1, (wait + 999_999_999L) / 1_000_000_000L);
        return Optional.of(new Refusal("tenant " + tenant + " submits faster than " + plain(perSecond)
                + " jobs per second (bursts of " + burst + "; " + RATE_SETTING + ", " + BURST_SETTING
                + "): retry after " + seconds + " s", seconds));
    }

    /** 10 rather than 10.0. */
    private static String plain(double number) {
        return number == Math.rint(number) ? Long.toString((long) number) : Double.toString(number);
    }
}

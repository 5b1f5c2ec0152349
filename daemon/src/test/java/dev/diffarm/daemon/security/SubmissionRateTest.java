package dev.diffarm.daemon.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SubmissionRateTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    @Test
    void aBurstPassesThenTheRateHoldsPerTenant() {
        SubmissionRate rate = new SubmissionRate(2, 3, now::get);
        for (int i = 0; i < 3; i++) {
            assertTrue(rate.take("acme").isEmpty(), "submission " + i);
        }
        SubmissionRate.Refusal refusal = rate.take("acme").orElseThrow();
        assertEquals(1, refusal.retryAfterSeconds());
        assertEquals("tenant acme submits faster than 2 jobs per second (bursts of 3; DIFFARM_RATE_SUBMISSIONS_PER_SECOND, "
                + "DIFFARM_RATE_SUBMISSION_BURST): retry after 1 s", refusal.message());
        assertTrue(rate.take("globex").isEmpty(), "another tenant has its own bucket");

        now.addAndGet(500_000_000L);
        assertTrue(rate.take("acme").isEmpty(), "half a second later one more at 2 per second");
        assertTrue(rate.take("acme").isPresent());
        now.addAndGet(60_000_000_000L);
        for (int i = 0; i < 3; i++) {
            assertTrue(rate.take("acme").isEmpty(), "a minute later the burst is back, and no more: " + i);
        }
        assertTrue(rate.take("acme").isPresent());
    }

    @Test
    void aSlowRateAsksForALongerWait() {
        SubmissionRate rate = new SubmissionRate(0.1, 1, now::get);
        rate.take("acme");
        assertEquals(10, rate.take("acme").orElseThrow().retryAfterSeconds());
    }

    @Test
    void refusesUnusableSettingsNamingThem() {
        assertEquals("DIFFARM_RATE_SUBMISSIONS_PER_SECOND = 0.0: expected a positive number",
                assertThrows(IllegalArgumentException.class, () -> new SubmissionRate(0, 1, now::get)).getMessage());
        assertEquals("DIFFARM_RATE_SUBMISSION_BURST = 0: expected at least 1",
                assertThrows(IllegalArgumentException.class, () -> new SubmissionRate(1, 0, now::get)).getMessage());
    }
}

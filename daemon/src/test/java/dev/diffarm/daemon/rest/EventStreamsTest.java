package dev.diffarm.daemon.rest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class EventStreamsTest {
    private final AtomicLong now = new AtomicLong();

    /** A connection the test closes from the client's side, or sees closed by the registry. */
    private static final class FakeConnection implements EventStreams.Connection {
        boolean closed;

        @Override
        public boolean isClosed() {
            return closed;
        }

        @Override
        public void close() {
            closed = true;
        }
    }

    @Test
    void boundsStreamsPerTenantAndClosesIdleOnes() {
        try (EventStreams streams = new EventStreams(2, Duration.ofSeconds(60), now::get)) {
            EventStreams.Stream first = streams.open("acme").orElseThrow();
            EventStreams.Stream second = streams.open("acme").orElseThrow();
            assertTrue(streams.open("acme").isEmpty());
            assertTrue(streams.open("globex").isPresent(), "another tenant's slots are its own");
            assertEquals("tenant acme has 2 event streams open: the limit is 2 (DIFFARM_SSE_STREAMS_PER_TENANT); close "
                    + "one, or wait: a stream idle for 60 s is closed (DIFFARM_SSE_IDLE_TIMEOUT)", streams.refusal("acme"));

            FakeConnection busy = new FakeConnection();
            FakeConnection idle = new FakeConnection();
            first.attach(busy);
            second.attach(idle);
            now.addAndGet(Duration.ofSeconds(50).toNanos());
            first.sent();
            now.addAndGet(Duration.ofSeconds(20).toNanos());
            streams.sweep();
            assertFalse(busy.closed, "sent 20 s ago");
            assertTrue(idle.closed, "sent nothing for 70 s");
            assertTrue(streams.open("acme").isPresent(), "the idle stream's slot is free");
            assertTrue(streams.open("acme").isEmpty());

            busy.closed = true;
            streams.sweep();
            assertTrue(streams.open("acme").isPresent(), "a stream the client closed frees its slot");
            first.release();
            assertTrue(streams.open("acme").isEmpty(), "a second release frees nothing");
        }
    }
}

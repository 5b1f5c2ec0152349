package dev.diffarm.daemon.rest;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * The open event streams ({@code GET /jobs/{id}/events}), bounded per tenant, each closed when it has sent nothing
 * for the idle timeout: a client that opens streams and never reads them, or goes away unseen, holds no slot and no
 * subscription for long. A sweep every few seconds closes idle streams and frees the slots of streams that ended.
 */
public final class EventStreams implements AutoCloseable {
    public static final String STREAMS_SETTING = "DIFFARM_SSE_STREAMS_PER_TENANT";
    public static final String IDLE_SETTING = "DIFFARM_SSE_IDLE_TIMEOUT";

    private final int perTenant;
    private final Duration idleTimeout;
    private final LongSupplier nanoTime;
    private final Map<String, AtomicInteger> open = new ConcurrentHashMap<>();
    private final Map<Stream, Boolean> streams = new ConcurrentHashMap<>();
    private final ScheduledExecutorService sweeper;

    /**
     * @param perTenant   most streams one tenant may hold open, at least 1
     * @param idleTimeout how long a stream may send nothing before it is closed, above 0
     */
    public EventStreams(int perTenant, Duration idleTimeout, LongSupplier nanoTime) {
        if (perTenant < 1) {
            throw new IllegalArgumentException(STREAMS_SETTING + " = " + perTenant + ": expected at least 1");
        }
        if (idleTimeout.isZero() || idleTimeout.isNegative()) {
            throw new IllegalArgumentException(IDLE_SETTING + " = " + idleTimeout + ": expected a positive duration");
        }
        this.perTenant = perTenant;
        this.idleTimeout = idleTimeout;
        this.nanoTime = nanoTime;
        long sweepMillis = Math.max(100, Math.min(5_000, idleTimeout.toMillis() / 4));
        this.sweeper = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "diffarm-sse-sweeper");
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, sweepMillis, sweepMillis, TimeUnit.MILLISECONDS);
    }

    /** What an open stream tells this registry, and how it is closed. */
    public interface Connection {
        boolean isClosed();

        /** Closes the stream from the server's side (and ends its subscription). */
        void close();
    }

    /** A stream holding one of its tenant's slots until it ends. */
    public final class Stream {
        private final String tenant;
        private final AtomicLong lastSent = new AtomicLong(nanoTime.getAsLong());
        private volatile Connection connection;
        private final AtomicBoolean released = new AtomicBoolean();

        private Stream(String tenant) {
            this.tenant = tenant;
        }

        /** The connection to watch: set once the stream is open. */
        public void attach(Connection connection) {
            this.connection = connection;
        }

        /** An event was sent: the idle clock starts again. */
        public void sent() {
            lastSent.set(nanoTime.getAsLong());
        }

        /** Frees the slot; the second and later calls do nothing. */
        public void release() {
            if (released.compareAndSet(false, true)) {
                streams.remove(this);
                open.get(tenant).decrementAndGet();
            }
        }
    }

    /** A slot for a new stream of {@code tenant}; empty when it holds its limit ({@link #refusal} says so). */
    public Optional<Stream> open(String tenant) {
        AtomicInteger count = open.computeIfAbsent(tenant, name -> new AtomicInteger());
        if (count.incrementAndGet() > perTenant) {
            count.decrementAndGet();
            return Optional.empty();
        }
        Stream stream = new Stream(tenant);
        streams.put(stream, Boolean.TRUE);
        return Optional.of(stream);
    }

    /** Why {@code tenant} may open no stream now, naming the limit. */
    public String refusal(String tenant) {
        return "tenant " + tenant + " has " + perTenant + " event streams open: the limit is " + perTenant + " ("
                + STREAMS_SETTING + "); close one, or wait: a stream idle for " + idleTimeout.toSeconds()
                + " s is closed (" + IDLE_SETTING + ")";
    }

    /** Closes the streams idle for longer than the timeout, and frees the slots of those that ended. */
    void sweep() {
        long now = nanoTime.getAsLong();
        for (Stream stream : streams.keySet()) {
            Connection connection = stream.connection;
            if (connection == null) {
                continue;
            }
            if (connection.isClosed()) {
                stream.release();
            } else if (now - stream.lastSent.get() > idleTimeout.toNanos()) {
                connection.close();
                stream.release();
            }
        }
    }

    /** Streams open now, all tenants together. */
    public int size() {
        return streams.size();
    }

    @Override
    public void close() {
        sweeper.shutdownNow();
    }
}

package dev.diffarm.daemon.kafka;

import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.farm.config.JobEvent;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.errors.InterruptException;
import org.apache.kafka.common.errors.RetriableException;
import org.jboss.logging.Logger;

/**
 * Job events to the Kafka topic {@code diffarm.events}: each event's JSON ({@link JobEvent#toJson()}), keyed by
 * its job id ({@link JobEvent#recordKey()}; no key for a rejected submission without a valid id). One job's
 * events share a partition and arrive in the order published.
 *
 * <p>{@link #publish} never waits for the broker: it puts the event in an outbox, and one thread of this sink owns
 * the producer and hands the outbox to it in order. While Kafka is unreachable the producer keeps what it was given
 * (its delivery timeout is unbounded, see {@link KafkaClients#eventProducer}) and the outbox holds the rest, so a
 * render goes on at full speed through an outage and every event reaches the topic, in order, once the broker is
 * back. The outbox is bounded ({@link #OUTBOX_CAPACITY}); an event that finds it full is dropped and counted
 * ({@link #dropped()}), since a render must never wait for the event bus.
 */
public final class KafkaEventSink implements EventSink {
    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);
    /** About 100 MiB of events at most: a day-long outage of a busy farm's progress events, not a leak. */
    static final int OUTBOX_CAPACITY = 200_000;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration RETRY_PAUSE = Duration.ofSeconds(1);

    private final String topic;
    private final Producer<String, String> producer;
    private final BlockingQueue<JobEvent> outbox = new LinkedBlockingQueue<>(OUTBOX_CAPACITY);
    private final AtomicLong dropped = new AtomicLong();
    private final Thread sender;
    private volatile boolean closing;
    /** Set when a close gives up on the broker: the sender stops trying and the rest is counted as lost. */
    private volatile boolean abandoned;

    /** @param producerConfig the producer's settings, as from {@link KafkaClients#eventProducer} */
    public KafkaEventSink(Map<String, Object> producerConfig, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(producerConfig);
        this.sender = new Thread(this::sendLoop, "diffarm-events-" + topic);
        // A process that ends does not wait for a broker that is gone: close() is the orderly way out.
        this.sender.setDaemon(true);
        this.sender.start();
    }

    @Override
    public void publish(JobEvent event) {
        if (closing) {
            LOG.errorf("a %s event of job %s came after the event sink closed: dropped", event.type(),
                    event.recordKey().orElse(null));
            dropped.incrementAndGet();
            return;
        }
        if (!outbox.offer(event)) {
            long lost = dropped.incrementAndGet();
            LOG.errorf("the event outbox is full (%d events wait for %s): a %s event of job %s is dropped (%d so far)",
                    OUTBOX_CAPACITY, topic, event.type(), event.recordKey().orElse(null), lost);
        }
    }

    /** Events that never reached the producer: the outbox was full, or they came after {@link #close}. */
    public long dropped() {
        return dropped.get();
    }

    /** Events published and not yet handed to the producer. */
    public int waiting() {
        return outbox.size();
    }

    private void sendLoop() {
        try {
            while (!closing || !outbox.isEmpty()) {
                JobEvent event = outbox.poll(250, TimeUnit.MILLISECONDS);
                if (event != null && !handOver(event)) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Gives one event to the producer, trying again while the broker cannot take it (the producer's buffer is
     * full, or the topic's partitions are unknown because the broker is unreachable), so that no later event
     * overtakes it. False once a close gave up.
     *
     * <p>The producer reports such a refusal in one of two ways: it throws, or it returns a future that has already
     * failed (having called the callback on this thread). Both mean the event was not taken; only a failure reported
     * later, from the producer's own thread, is the fate of an event it took.
     */
    private boolean handOver(JobEvent event) throws InterruptedException {
        String key = event.recordKey().orElse(null);
        boolean warned = false;
        while (!abandoned) {
            Throwable refusal;
            try {
                Future<RecordMetadata> sent = producer.send(new ProducerRecord<>(topic, key, event.toJson()),
                        (metadata, error) -> {
                            if (error != null && Thread.currentThread() != sender) {
                                LOG.errorf("a %s event of job %s did not reach %s: %s", event.type(), key, topic,
                                        error.toString());
                            }
                        });
                refusal = sent.isDone() ? failureOf(sent) : null;
            } catch (InterruptException e) {
                throw new InterruptedException(e.getMessage());
            } catch (KafkaException e) {
                refusal = e;
            }
            if (refusal == null) {
                if (warned) {
                    LOG.infof("%s takes events again", topic);
                }
                return true;
            }
            if (!(refusal instanceof RetriableException)) {
                // Not retriable (a record over the size limit, a serializer fault): this event can never be sent.
                LOG.errorf("cannot send a %s event of job %s to %s: %s", event.type(), key, topic, refusal.toString());
                return true;
            }
            if (!warned) {
                LOG.warnf("%s cannot take events now (%s): they wait in order, %d in the outbox", topic,
                        refusal.toString(), outbox.size() + 1);
                warned = true;
            }
            Thread.sleep(RETRY_PAUSE.toMillis());
        }
        return false;
    }

    /** The failure of a completed send, or null if it succeeded. */
    private static Throwable failureOf(Future<RecordMetadata> sent) throws InterruptedException {
        try {
            sent.get();
            return null;
        } catch (ExecutionException e) {
            return e.getCause();
        }
    }

    /**
     * Sends what is waiting, for up to 30 s in all (the broker may be gone), then closes the producer; what could
     * not be sent by then is logged as lost.
     */
    @Override
    public void close() {
        closing = true;
        long deadline = System.nanoTime() + CLOSE_TIMEOUT.toNanos();
        try {
            sender.join(CLOSE_TIMEOUT.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (sender.isAlive()) {
            abandoned = true;
            sender.interrupt();
            LOG.errorf("%s did not take the last events within %s: %d events are lost", topic, CLOSE_TIMEOUT,
                    outbox.size() + 1);
        }
        producer.close(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())));
    }
}

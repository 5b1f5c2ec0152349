package dev.diffarm.daemon.kafka;

import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.farm.config.JobEvent;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.jboss.logging.Logger;

/**
 * Job events to the Kafka topic {@code diffarm.events}: each event's JSON ({@link JobEvent#toJson()}), keyed by
 * its job id ({@link JobEvent#recordKey()}; no key for a rejected submission without a valid id). One job's
 * events share a partition and arrive in the order published; the producer is idempotent, so a retried send
 * neither duplicates nor reorders them. Sending does not wait for the broker: an event that cannot be
 * delivered is logged, and the job goes on.
 */
public final class KafkaEventSink implements EventSink {
    private static final Logger LOG = Logger.getLogger(KafkaEventSink.class);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

    private final String topic;
    private final Producer<String, String> producer;

    /** @param producerConfig the producer's settings, as from {@link KafkaClients#eventProducer} */
    public KafkaEventSink(Map<String, Object> producerConfig, String topic) {
        this.topic = topic;
        this.producer = new KafkaProducer<>(producerConfig);
    }

    @Override
    public void publish(JobEvent event) {
        String key = event.recordKey().orElse(null);
        try {
            producer.send(new ProducerRecord<>(topic, key, event.toJson()), (metadata, error) -> {
                if (error != null) {
                    LOG.errorf("a %s event of job %s did not reach %s: %s", event.type(), key, topic, error.toString());
                }
            });
        } catch (KafkaException e) {
            LOG.errorf("cannot send a %s event of job %s to %s: %s", event.type(), key, topic, e.toString());
        }
    }

    /** Sends what is buffered, waiting up to 30 s for the broker, then closes the producer. */
    @Override
    public void close() {
        producer.close(CLOSE_TIMEOUT);
    }
}

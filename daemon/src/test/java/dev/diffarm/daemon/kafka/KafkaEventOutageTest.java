package dev.diffarm.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.services.LocalServices;
import dev.diffarm.farm.config.JobEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Events published while the broker is down (a broker of this test's own, stopped and started again) all reach the
 * topic once it is back, in order, and publishing never waits for it.
 */
class KafkaEventOutageTest {
    private static final int BEFORE = 20;
    private static final int DURING = 40;
    private static LocalServices services;

    @BeforeAll
    static void startServices() {
        services = LocalServices.startPrivate("outage");
    }

    @AfterAll
    static void stopServices() {
        if (services != null) {
            services.stopAll();
        }
    }

    @Test
    void eventsPublishedDuringAnOutageArriveInOrderWhenTheBrokerReturns() throws Exception {
        String bootstrap = services.kafkaBootstrapServers();
        String topic = "events-outage-" + UUID.randomUUID().toString().substring(0, 8);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get();
        }
        List<JobEvent> published = new ArrayList<>();
        long slowestPublishNanos = 0;
        try (KafkaEventSink sink = new KafkaEventSink(KafkaClients.eventProducer(bootstrap, topic + "-producer"), topic)) {
            for (int i = 0; i < BEFORE; i++) {
                published.add(progress(i));
                sink.publish(published.get(i));
            }
            waitUntilSent(sink);
            services.stopAll();
            for (int i = BEFORE; i < BEFORE + DURING; i++) {
                JobEvent event = i % 10 == 9 ? new JobEvent.TaskCompleted("outage", String.format("t%04d", i), String.format("jobs/outage/t%04d.png", i),
                        "9f2c", false) : progress(i);
                published.add(event);
                long start = System.nanoTime();
                sink.publish(event);
                slowestPublishNanos = Math.max(slowestPublishNanos, System.nanoTime() - start);
            }
            services.startAgain();
            // closing sends what waits
        }
        assertTrue(slowestPublishNanos < Duration.ofMillis(100).toNanos(),
                "publishing during the outage never waits for the broker; the slowest took "
                        + slowestPublishNanos / 1_000_000 + " ms");
        List<JobEvent> read = readAll(bootstrap, topic, published.size());
        System.out.printf("[outage] %d events published (%d during the outage), %d read back; slowest publish %.2f ms%n",
                published.size(), DURING, read.size(), slowestPublishNanos / 1e6);
        assertEquals(published, read, "every event, in the order published, once");
    }

    private static JobEvent progress(int i) {
        return new JobEvent.Progress("outage", String.format("t%04d", i), 1, 1, i, BEFORE + DURING);
    }

    private static void waitUntilSent(KafkaEventSink sink) throws InterruptedException {
        long deadline = System.nanoTime() + TestKafka.WAIT.toNanos();
        while (sink.waiting() > 0 && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(0, sink.waiting(), "the events before the outage were handed to the producer");
    }

    private static List<JobEvent> readAll(String bootstrap, String topic, int expected)
            throws ExecutionException, InterruptedException {
        Properties config = new Properties();
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        config.put(ConsumerConfig.GROUP_ID_CONFIG, topic + "-reader");
        config.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        config.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        config.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
        List<JobEvent> events = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(config)) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + TestKafka.WAIT.toNanos();
            while (events.size() < expected && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    events.add(JobEvent.parse(record.value()));
                }
            }
            // Anything more would be a duplicate.
            for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofSeconds(1))) {
                events.add(JobEvent.parse(record.value()));
            }
        }
        return events;
    }
}

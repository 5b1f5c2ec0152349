package dev.diffarm.daemon.kafka;

import static dev.diffarm.daemon.kafka.TestKafka.committed;
import static dev.diffarm.daemon.kafka.TestKafka.text;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.farm.config.FarmSettings;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/**
 * One Kafka source polled by several workers of a node, against the real broker: each worker has its own delivery,
 * but never two of one partition, so that each partition's commits stay in offset order.
 */
class KafkaWorkersTest {

    @Test
    void workersTakeJobsOfDifferentPartitionsAtOnceAndAPartitionsNextJobWaitsForItsFirst() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("workers", 2);
        String group = TestKafka.group("workers");
        TestKafka.produce(record(topics, 0, "a0"), record(topics, 0, "a1"), record(topics, 1, "b0"));
        try (KafkaJobSource source = TestKafka.source(topics, group, 3)) {
            Delivery first = onItsOwnWorker(source, TestKafka.WAIT).orElseThrow();
            Delivery second = onItsOwnWorker(source, TestKafka.WAIT).orElseThrow();
            assertEquals(Set.of("a0", "b0"), Set.of(text(first), text(second)), "one job of each partition at once");

            // A third worker is idle, but a1 waits: its partition's a0 is in progress.
            assertEquals(Optional.empty(), onItsOwnWorker(source, Duration.ofSeconds(3)).map(TestKafka::text));

            Delivery a0 = text(first).equals("a0") ? first : second;
            Delivery b0 = a0 == first ? second : first;
            CompletableFuture<Optional<Delivery>> third = CompletableFuture.supplyAsync(
                    () -> onItsOwnWorker(source, TestKafka.WAIT));
            a0.acknowledge();
            assertEquals(1, committed(group, topics.jobs(), 0));
            Delivery a1 = third.get(TestKafka.WAIT.toSeconds(), TimeUnit.SECONDS).orElseThrow();
            assertEquals("a1", text(a1), "handed out once a0 was settled, while b0 still runs");
            a1.acknowledge();
            assertEquals(2, committed(group, topics.jobs(), 0));
            assertEquals(-1, committed(group, topics.jobs(), 1), "b0 runs still: nothing of its partition committed");
            b0.acknowledge();
            assertEquals(1, committed(group, topics.jobs(), 1));
        }
    }

    @Test
    void aNodeTakesNoMoreJobsThanItHasWorkers() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("capacity", 3);
        String group = TestKafka.group("capacity");
        TestKafka.produce(record(topics, 0, "p0"), record(topics, 1, "p1"), record(topics, 2, "p2"));
        try (KafkaJobSource source = TestKafka.source(topics, group, 2)) {
            Delivery first = onItsOwnWorker(source, TestKafka.WAIT).orElseThrow();
            Delivery second = onItsOwnWorker(source, TestKafka.WAIT).orElseThrow();
            assertEquals(Optional.empty(), onItsOwnWorker(source, Duration.ofSeconds(3)).map(TestKafka::text),
                    "two workers, two jobs: the third waits in its partition");
            first.acknowledge();
            Delivery third = onItsOwnWorker(source, TestKafka.WAIT).orElseThrow();
            assertEquals(Set.of("p0", "p1", "p2"), Set.of(text(first), text(second), text(third)), "each once");
            second.acknowledge();
            third.acknowledge();
            for (int partition = 0; partition < 3; partition++) {
                assertEquals(1, committed(group, topics.jobs(), partition), "partition " + partition);
            }
        }
    }

    @Test
    void aWorkerTakesTheWaitingJobOfTheModelItHasLoadedFirst() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("affinity", 2);
        String group = TestKafka.group("affinity");
        try (KafkaJobSource source = TestKafka.source(topics, group, 2)) {
            TestKafka.produce(record(topics, 0, job("warm", "a")));
            onItsOwnWorker(source, TestKafka.WAIT).orElseThrow().acknowledge();
            for (String loaded : List.of("b", "a", "b")) {
                // Both wait for a worker (one per partition); the model named first differs from round to round.
                String other = loaded.equals("a") ? "b" : "a";
                TestKafka.produce(record(topics, 0, job(other + "-job", other)), record(topics, 1, job(loaded + "-job", loaded)));
                Thread.sleep(2000);
                Delivery preferred = source.poll(Duration.ofSeconds(5), Set.of(loaded, "not-waiting")).orElseThrow();
                assertEquals(job(loaded + "-job", loaded), text(preferred), "the job of the loaded model " + loaded);
                preferred.acknowledge();
                Delivery rest = source.poll(TestKafka.WAIT, Set.of(loaded)).orElseThrow();
                assertEquals(job(other + "-job", other), text(rest), "then the other one");
                rest.acknowledge();
            }
        }
    }

    private static String job(String id, String model) {
        return "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"render\", \"id\": \"" + id + "\", \"model\": \"" + model + "\"}";
    }

    private static ProducerRecord<byte[], byte[]> record(FarmSettings.Topics topics, int partition, String value) {
        return new ProducerRecord<>(topics.jobs(), partition, TestKafka.utf8(value), TestKafka.utf8(value));
    }

    /**
     * Polls on a thread of its own, as one worker does: a thread that polls again gives up the delivery it has, so
     * each delivery a test holds at once needs its own thread.
     */
    private static Optional<Delivery> onItsOwnWorker(KafkaJobSource source, Duration wait) {
        CompletableFuture<Optional<Delivery>> polled = new CompletableFuture<>();
        Thread worker = new Thread(() -> {
            try {
                long deadline = System.nanoTime() + wait.toNanos();
                Optional<Delivery> delivery = Optional.empty();
                while (delivery.isEmpty() && System.nanoTime() < deadline) {
                    delivery = source.poll(Duration.ofMillis(250));
                }
                polled.complete(delivery);
            } catch (Throwable e) {
                polled.completeExceptionally(e);
            }
        }, "test-worker");
        worker.start();
        try {
            return polled.get(wait.toSeconds() + 10, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new AssertionError("polling failed", e);
        }
    }
}

package dev.diffarm.daemon.kafka;

import static dev.diffarm.daemon.kafka.TestKafka.committed;
import static dev.diffarm.daemon.kafka.TestKafka.next;
import static dev.diffarm.daemon.kafka.TestKafka.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.farm.config.FarmSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;

/** The Kafka job source against the real broker: commits, redelivery, dead letters, long jobs, rebalances. */
class KafkaJobSourceTest {

    @Test
    void aSourceWithoutABrokerSaysSoUntilItHasOne() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("reach", 1);
        String group = TestKafka.group("reach");
        int nothingListens;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            nothingListens = socket.getLocalPort();
        }
        String nowhere = "127.0.0.1:" + nothingListens;
        try (KafkaJobSource unreachable = new KafkaJobSource(KafkaClients.jobConsumer(nowhere, group, group + "-nowhere"),
                KafkaClients.intakeProducer(nowhere, group + "-nowhere-intake"), topics, KafkaJobSource.REDELIVERY_DELAY);
             KafkaJobSource reachable = TestKafka.source(topics, group)) {
            Optional<String> problem = awaitProblem(unreachable, Optional::isPresent);
            assertTrue(problem.orElseThrow().contains("no connection to a Kafka broker"), problem.orElseThrow());
            assertTrue(problem.orElseThrow().contains(topics.jobs()), problem.orElseThrow());
            assertEquals(Optional.empty(), awaitProblem(reachable, Optional::isEmpty));
            // Checked again later, the reachable one stays fine: an idle consumer keeps its connection.
            Thread.sleep(6_000);
            assertEquals(Optional.empty(), reachable.problem());
        }
    }

    private static Optional<String> awaitProblem(KafkaJobSource source, Predicate<Optional<String>> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!wanted.test(source.problem()) && System.nanoTime() < deadline) {
            source.poll(Duration.ofMillis(200));
        }
        return source.problem();
    }

    @Test
    void anAcknowledgedJobIsCommittedAndNotDeliveredAgain() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("ack", 1);
        String group = TestKafka.group("ack");
        try (KafkaJobSource source = TestKafka.source(topics, group)) {
            source.enqueue("job-1", "{\"n\": 1}", "local");
            Delivery delivery = next(source);
            assertEquals("{\"n\": 1}", text(delivery));
            assertEquals(topics.jobs() + "-0@0", delivery.origin());
            assertEquals(-1, committed(group, topics.jobs(), 0), "nothing committed before the job's end");
            delivery.acknowledge();
            assertEquals(1, committed(group, topics.jobs(), 0));
            assertThrows(IllegalStateException.class, delivery::acknowledge, "settled once");
            source.enqueue("job-2", "{\"n\": 2}", "local");
        }
        try (KafkaJobSource again = TestKafka.source(topics, group)) {
            Delivery delivery = next(again);
            assertEquals("{\"n\": 2}", text(delivery), "the acknowledged job is not delivered again");
            delivery.acknowledge();
            assertEquals(2, committed(group, topics.jobs(), 0));
        }
    }

    @Test
    void aDeliveryUnsettledWhenTheSourceClosesIsDeliveredAgainByTheNextSource() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("redeliver", 3);
        String group = TestKafka.group("redeliver");
        String origin;
        try (KafkaJobSource source = TestKafka.source(topics, group)) {
            source.enqueue("job-a", "{\"job\": \"a\"}", "local");
            Delivery delivery = next(source);
            assertEquals("{\"job\": \"a\"}", text(delivery));
            origin = delivery.origin();
            // The daemon dies here, mid-job.
        }
        try (KafkaJobSource restarted = TestKafka.source(topics, group)) {
            Delivery again = next(restarted);
            assertEquals("{\"job\": \"a\"}", text(again));
            assertEquals(origin, again.origin(), "the same record");
            again.acknowledge();
            restarted.enqueue("job-b", "{\"job\": \"b\"}", "local");
            assertEquals("{\"job\": \"b\"}", text(next(restarted)));
        }
    }

    /** The acceptance case at the source's level: kill -9 mid-job, and the next daemon of the group gets the job. */
    @Test
    void aJobHeldByAKilledDaemonIsDeliveredAgainToTheNextOne() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("killed", 3);
        String group = TestKafka.group("killed");
        TestKafka.produce(TestKafka.record(topics.jobs(), "held", "{\"job\": \"held\"}"));
        Process daemon = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.util.logging.manager=org.jboss.logmanager.LogManager", "-cp", System.getProperty("java.class.path"),
                HoldingDaemon.class.getName(), TestKafka.bootstrapServers(), topics.jobs(), topics.events(),
                topics.deadLetters(), group, topics.chunks()).redirectErrorStream(true).start();
        String origin;
        try {
            CompletableFuture<String> holding = CompletableFuture.supplyAsync(() -> holdingLine(daemon));
            origin = holding.get(TestKafka.WAIT.toSeconds(), TimeUnit.SECONDS).substring("holding ".length());
        } finally {
            daemon.destroyForcibly();
            daemon.waitFor();
        }
        assertEquals(137, daemon.exitValue(), "killed by SIGKILL");
        try (KafkaJobSource next = TestKafka.source(topics, group)) {
            Delivery again = next(next);
            assertEquals(origin, again.origin(), "the same record, never committed");
            again.acknowledge();
        }
    }

    /** The line in which the daemon says it holds a job; everything it printed when it never does. */
    private static String holdingLine(Process daemon) {
        StringBuilder output = new StringBuilder();
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(daemon.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line = lines.readLine(); line != null; line = lines.readLine()) {
                if (line.startsWith("holding ")) {
                    return line;
                }
                output.append(line).append('\n');
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("the holding daemon ended without a job:\n" + output);
    }

    @Test
    void aDeadLetterGoesToTheDeadLetterTopicWithItsReasonAndTheNextRecordFollows() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("dlq", 1);
        String group = TestKafka.group("dlq");
        ProducerRecord<byte[], byte[]> garbage = TestKafka.record(topics.jobs(), "k-1", "this is { not json");
        garbage.headers().add("trace-id", TestKafka.utf8("abc"));
        TestKafka.produce(garbage, TestKafka.record(topics.jobs(), "good", "{\"job\": \"good\"}"));
        try (KafkaJobSource source = TestKafka.source(topics, group)) {
            Delivery delivery = next(source);
            assertEquals("this is { not json", text(delivery));
            delivery.deadLetter("not-json: not JSON (Unrecognized token 'this')");
            assertEquals(1, committed(group, topics.jobs(), 0), "committed once stored in the dead letters");

            ConsumerRecord<byte[], byte[]> letter = TestKafka.readUntil(topics.deadLetters(), read -> !read.isEmpty()).get(0);
            assertEquals("k-1", text(letter.key()));
            assertEquals("this is { not json", text(letter.value()));
            assertEquals("not-json: not JSON (Unrecognized token 'this')", header(letter, DeadLetters.REASON));
            assertEquals(topics.jobs(), header(letter, DeadLetters.TOPIC));
            assertEquals("0", header(letter, DeadLetters.PARTITION));
            assertEquals("0", header(letter, DeadLetters.OFFSET));
            assertEquals("abc", header(letter, "trace-id"), "the submission's own headers are kept");

            Delivery following = next(source);
            assertEquals("{\"job\": \"good\"}", text(following));
            following.acknowledge();
            assertEquals(2, committed(group, topics.jobs(), 0));
        }
    }

    @Test
    void aJobHeldLongerThanTheMaxPollIntervalKeepsItsPartition() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("long", 1);
        String group = TestKafka.group("long");
        Map<String, Object> impatient = new HashMap<>();
        impatient.put(ConsumerConfig.MAX_POLL_INTERVAL_MS_CONFIG, 6_000);
        impatient.put(ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, 6_000);
        impatient.put(ConsumerConfig.HEARTBEAT_INTERVAL_MS_CONFIG, 1_000);
        try (KafkaJobSource source = TestKafka.source(topics, group, KafkaJobSource.REDELIVERY_DELAY, impatient)) {
            source.enqueue("long", "{\"job\": \"long\"}", "local");
            source.enqueue("after", "{\"job\": \"after\"}", "local");
            Delivery held = next(source);
            assertEquals("{\"job\": \"long\"}", text(held));
            Thread.sleep(11_000);
            // A consumer evicted for want of polls could not commit: its partition would have been revoked.
            held.acknowledge();
            assertEquals(1, committed(group, topics.jobs(), 0));
            Delivery following = next(source);
            assertEquals("{\"job\": \"after\"}", text(following), "the held job is not delivered twice");
            following.acknowledge();
        }
    }

    @Test
    void aDeliveryTheWorkerLeavesUnsettledIsDeliveredAgainAfterTheDelay() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("giveup", 1);
        String group = TestKafka.group("giveup");
        try (KafkaJobSource source = TestKafka.source(topics, group, Duration.ofSeconds(2), Map.of())) {
            source.enqueue("a", "{\"job\": \"a\"}", "local");
            source.enqueue("b", "{\"job\": \"b\"}", "local");
            Delivery unsettled = next(source);
            long start = System.nanoTime();
            Delivery again = next(source);
            double waited = (System.nanoTime() - start) / 1e9;
            assertEquals(unsettled.origin(), again.origin(), "the same record again, before the next one");
            assertTrue(waited >= 1.5, "after the redelivery delay, not at once: " + waited + " s");
            IllegalStateException late = assertThrows(IllegalStateException.class, unsettled::acknowledge);
            assertTrue(late.getMessage().contains("given up"), late.getMessage());
            again.acknowledge();
            assertEquals("{\"job\": \"b\"}", text(next(source)));
        }
    }

    @Test
    void theBacklogCountsTheRecordsNotHandedOutYet() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("backlog", 3);
        String group = TestKafka.group("backlog");
        try (KafkaJobSource source = TestKafka.source(topics, group)) {
            for (int i = 0; i < 4; i++) {
                source.enqueue("job-" + i, "{\"n\": " + i + "}", "local");
            }
            Delivery first = next(source);
            long deadline = System.nanoTime() + TestKafka.WAIT.toNanos();
            while (!source.backlog().equals(OptionalLong.of(3)) && System.nanoTime() < deadline) {
                Thread.sleep(200);
            }
            assertEquals(OptionalLong.of(3), source.backlog(), "four sent, one handed out");
            first.acknowledge();
        }
    }

    /**
     * A second daemon joins while the first runs a job from partition 1; the group gives it that partition.
     * The first must not commit the job (the second delivers it again), and the second commits it once done.
     */
    @Test
    void aJobWhosePartitionMovesIsCommittedOnlyByItsNewOwner() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("rebalance", 2);
        String group = TestKafka.group("rebalance");
        TestKafka.produce(new ProducerRecord<>(topics.jobs(), 1, TestKafka.utf8("moving"), TestKafka.utf8("{\"job\": \"moving\"}")));
        try (KafkaJobSource first = TestKafka.source(topics, group)) {
            Delivery running = next(first);
            assertEquals(topics.jobs() + "-1@0", running.origin());
            assertFalse(running.isWithdrawn());
            try (KafkaJobSource second = TestKafka.source(topics, group)) {
                Delivery moved = next(second);
                assertEquals(running.origin(), moved.origin(), "delivered again by the partition's new owner");
                assertTrue(running.isWithdrawn(), "the old owner's job is to stop at its next step");
                assertFalse(moved.isWithdrawn());
                IllegalStateException refused = assertThrows(IllegalStateException.class, running::acknowledge);
                assertTrue(refused.getMessage().contains("revoked"), refused.getMessage());
                assertEquals(-1, committed(group, topics.jobs(), 1), "the first daemon committed nothing");
                moved.acknowledge();
                assertEquals(1, committed(group, topics.jobs(), 1));

                // The first goes on with the partition it kept.
                TestKafka.produce(new ProducerRecord<>(topics.jobs(), 0, TestKafka.utf8("stays"), TestKafka.utf8("{\"job\": \"stays\"}")));
                Delivery stays = next(first);
                assertEquals(topics.jobs() + "-0@0", stays.origin());
                stays.acknowledge();
                assertEquals(1, committed(group, topics.jobs(), 0));
            }
        }
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? null : text(header.value());
    }
}

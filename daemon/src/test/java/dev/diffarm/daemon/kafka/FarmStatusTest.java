package dev.diffarm.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.datatype.jdk8.Jdk8Module;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.job.JobStatus;
import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.status.FarmJobs;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons of one group, each with its view of the farm's jobs from the events topic (real broker, tiny engine):
 * whichever renders a job, both answer its status alike, byte for byte once it completed; the one that did not render
 * streams its events through {@code completed}; and events delivered twice change no answer.
 */
class FarmStatusTest {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new Jdk8Module());

    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();

    @TempDir
    Path local;

    /** A daemon: the job flow of {@link KafkaFarm} and a job view of its own, as the daemon wires them. */
    private static final class Node implements AutoCloseable {
        final KafkaFarm farm;
        final FarmJobs jobs = new FarmJobs(100, new EventBroadcaster(100, 2000));
        final KafkaJobView view;

        Node(FarmSettings.Topics topics, String group, Path outputs, Path models) {
            farm = new KafkaFarm(topics, group, outputs, models, tiny.noting(new ArrayList<>()));
            view = new KafkaJobView(KafkaJobView.consumerConfig(TestKafka.bootstrapServers(),
                    group + "-view-" + UUID.randomUUID()), topics.events(), jobs);
            view.start();
        }

        Optional<JobStatus> status(String id) {
            return jobs.find(id);
        }

        @Override
        public void close() {
            view.close();
            farm.close();
        }
    }

    @Test
    void twoDaemonsAnswerAlikeAndTheOneThatDidNotRenderStreamsTheJobsEvents() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("status", 2);
        String group = TestKafka.group("status");
        String id = "status-" + UUID.randomUUID().toString().substring(0, 8);
        Path outputs = local.resolve("outputs");
        try (Node a = new Node(topics, group, outputs, tiny.models()); Node b = new Node(topics, group, outputs, tiny.models())) {
            List<JobEvent> seenByA = Collections.synchronizedList(new ArrayList<>());
            List<JobEvent> seenByB = Collections.synchronizedList(new ArrayList<>());
            a.jobs.events().subscribe(id, seenByA::add);
            b.jobs.events().subscribe(id, seenByB::add);
            // Both in the group first: a rebalance mid-job would move the job to the other node, which this test does not run.
            TestKafka.awaitMembers(group, topics.jobs(), 2);
            TestKafka.produce(TestKafka.record(topics.jobs(), id, TinyModel.renderJob(id, "[\"a cat\", \"a dog\"]", "[3]", 2)));

            Node renderer = handleOnWhicheverTakesIt(a, b);
            Node other = renderer == a ? b : a;
            List<JobEvent> seenByOther = renderer == a ? seenByB : seenByA;
            TestKafka.await(() -> a.status(id).map(s -> s.state().equals("completed")).orElse(false)
                    && b.status(id).map(s -> s.state().equals("completed")).orElse(false),
                    "both views see the job completed");

            JobStatus status = renderer.status(id).orElseThrow();
            assertEquals(status, other.status(id).orElseThrow());
            byte[] renderersAnswer = JSON.writeValueAsBytes(status);
            assertArrayEquals(renderersAnswer, JSON.writeValueAsBytes(other.status(id).orElseThrow()),
                    new String(renderersAnswer));
            assertEquals(2, status.tasksCompleted());
            assertEquals("local", status.tenant(), "the tenant of a job from an untrusted topic");
            List<String> keys = List.of("jobs/" + id + "/t0000.png", "jobs/" + id + "/t0001.png");
            assertEquals(keys, status.keys().subList(0, 2));
            assertEquals(renderer.farm.registry.find(id).orElseThrow().status(), status,
                    "the view tells what the node that rendered it knows");

            List<String> milestones = List.of("accepted", "task-completed", "task-completed", "completed");
            assertEquals(milestones, milestones(seenByOther), "the stream on the node that did not render");
            List<JobEvent> replayed = new ArrayList<>();
            other.jobs.events().subscribe(id, replayed::add).close();
            assertEquals(seenByOther, replayed, "a stream opened later replays the same events");

            // A chunk redelivered after its node died reports its task again, and two nodes complete the job.
            List<JobEvent> onTopic = eventsOf(topics, id);
            List<ProducerRecord<byte[], byte[]>> again = new ArrayList<>();
            for (JobEvent event : onTopic) {
                if (event instanceof JobEvent.TaskCompleted || event instanceof JobEvent.Completed) {
                    again.add(TestKafka.record(topics.events(), id, event.toJson()));
                }
            }
            long appliedByA = a.view.applied();
            long appliedByB = b.view.applied();
            TestKafka.produce(again.toArray(ProducerRecord[]::new));
            TestKafka.await(() -> a.view.applied() == appliedByA + again.size()
                    && b.view.applied() == appliedByB + again.size(),
                    "both views read the " + again.size() + " events sent again");

            assertArrayEquals(renderersAnswer, JSON.writeValueAsBytes(a.status(id).orElseThrow()), "node a after duplicates");
            assertArrayEquals(renderersAnswer, JSON.writeValueAsBytes(b.status(id).orElseThrow()), "node b after duplicates");
            System.out.printf("[farm-status] %d events of job %s; view lag after the last: a %d ms, b %d ms; answer %s%n",
                    onTopic.size(), id, a.view.lagMillis(), b.view.lagMillis(), new String(renderersAnswer));
            assertTrue(a.view.isCaughtUp() && b.view.isCaughtUp());
        }
    }

    @Test
    void aNodeStartedAfterTheJobEndedReadsItFromTheTopic() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("late", 1);
        String id = "late-" + UUID.randomUUID().toString().substring(0, 8);
        List<ProducerRecord<byte[], byte[]>> records = new ArrayList<>();
        for (JobEvent event : List.of(new JobEvent.Accepted(id, "render", 1, Optional.of("acme")),
                new JobEvent.Progress(id, "t0000", 1, 1, 0, 1),
                new JobEvent.TaskCompleted(id, "t0000", "tenants/acme/jobs/" + id + "/t0000.png", "h", false),
                new JobEvent.Completed(id, List.of("tenants/acme/jobs/" + id + "/t0000.png")))) {
            records.add(TestKafka.record(topics.events(), id, event.toJson()));
        }
        records.add(1, TestKafka.record(topics.events(), id, "{\"not\": \"an event\"}"));
        TestKafka.produce(records.toArray(ProducerRecord[]::new));

        FarmJobs jobs = new FarmJobs(10, new EventBroadcaster(10, 100));
        try (KafkaJobView view = new KafkaJobView(KafkaJobView.consumerConfig(TestKafka.bootstrapServers(),
                "late-view-" + UUID.randomUUID()), topics.events(), jobs)) {
            view.start();
            TestKafka.await(view::isCaughtUp, "the view catches up with the topic");
            assertEquals(new JobStatus(id, "acme", "completed", "render", 1, 1, Optional.empty(), 0, 0,
                    List.of("tenants/acme/jobs/" + id + "/t0000.png"), List.of()), jobs.find(id).orElseThrow());
            assertEquals(4, view.applied());
            assertEquals(1, view.skipped(), "the record that is no event is skipped, and the view reads on");
        }
    }

    /** Polls both nodes' sources, as their workers do, until one takes the job; it runs the job. */
    private static Node handleOnWhicheverTakesIt(Node a, Node b) throws InterruptedException {
        long deadline = System.nanoTime() + TestKafka.WAIT.toNanos();
        while (System.nanoTime() < deadline) {
            for (Node node : List.of(a, b)) {
                Optional<Delivery> delivery = node.farm.source.poll(Duration.ofMillis(200));
                if (delivery.isPresent()) {
                    node.farm.handle(delivery.get());
                    return node;
                }
            }
        }
        return fail("neither daemon took the job within " + TestKafka.WAIT.toSeconds() + " s");
    }

    private static List<JobEvent> eventsOf(FarmSettings.Topics topics, String id) {
        List<ConsumerRecord<byte[], byte[]>> records = TestKafka.readUntil(topics.events(), read -> read.stream()
                .anyMatch(record -> JobEvent.parse(TestKafka.text(record.value())) instanceof JobEvent.Completed));
        return records.stream().filter(record -> id.equals(TestKafka.text(record.key())))
                .map(record -> JobEvent.parse(TestKafka.text(record.value()))).toList();
    }

    private static List<String> milestones(List<JobEvent> events) {
        return events.stream().map(JobEvent::type).filter(type -> !type.equals(JobEvent.Progress.TYPE)).toList();
    }
}

package dev.diffarm.daemon.kafka;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.event.EventBroadcaster;
import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.status.FarmJobs;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.JobParser;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The whole daemon on Kafka: a job posted over REST goes through the jobs topic, its events to the events topic. */
@QuarkusTest
@QuarkusTestResource(value = KafkaDaemonResource.class, restrictToAnnotatedClass = true)
class KafkaDaemonTest {
    private static final FarmSettings.Topics TOPICS = FarmSettings.Topics.DEFAULT;

    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();

    @Inject
    ObjectMapper mapper;

    @ConfigProperty(name = "diffarm.local-dir")
    String localDir;

    @Test
    void aJobPostedOverRestIsQueuedOnTheJobsTopicRenderedAndReportedOnTheEventsTopic() throws Exception {
        // The broker keeps its topics between test runs: an id of this run's own.
        String id = "kafka-rest-" + UUID.randomUUID().toString().substring(0, 8);
        String job = TinyModel.renderJob(id, "[\"a cat\", \"a dog\"]", "[3]", 2);
        given().contentType("application/json").body(job).post("/jobs").then().statusCode(202).body("id", equalTo(id));

        List<ConsumerRecord<byte[], byte[]>> events = TestKafka.readUntil(TOPICS.events(), read -> read.stream()
                .anyMatch(record -> id.equals(TestKafka.text(record.key()))
                        && JobEvent.parse(TestKafka.text(record.value())) instanceof JobEvent.Completed));
        List<String> milestones = events.stream().filter(record -> id.equals(TestKafka.text(record.key())))
                .map(record -> JobEvent.parse(TestKafka.text(record.value())).type())
                .filter(type -> !type.equals(JobEvent.Progress.TYPE)).toList();
        assertEquals(List.of("accepted", "task-completed", "task-completed", "completed"), milestones);
        // The daemon answers from its view of the events topic: a moment after the event is on the topic.
        assertEquals("completed", awaitState(id, "completed"));

        ConsumerRecord<byte[], byte[]> queued = TestKafka.readUntil(TOPICS.jobs(), read -> read.stream()
                .anyMatch(record -> id.equals(TestKafka.text(record.key())))).stream()
                .filter(record -> id.equals(TestKafka.text(record.key()))).findFirst().orElseThrow();
        assertEquals(id, new JobParser().parse(queued.value()).orElseThrow().id(), "the job as queued");
        assertEquals(queued.offset() + 1, TestKafka.awaitCommitted(KafkaClients.GROUP_ID, TOPICS.jobs(), queued.partition(),
                queued.offset() + 1), "the group committed it once completed");
        assertFalse(Files.exists(Path.of(localDir, "events.jsonl")), "events go to the topic, not to a local file");
    }

    /**
     * Another daemon of the farm (events to the same topic; its jobs from a topic of its own, so this one never takes
     * the job) runs a job: this daemon answers {@code GET /jobs/{id}} byte for byte as the other's view does, and its
     * event stream carries the other's events through {@code completed}.
     */
    @Test
    void aJobAnotherDaemonRanIsAnsweredHereAsThereAndStreamedThroughItsCompletion() throws Exception {
        FarmSettings.Topics own = TestKafka.topics("elsewhere", 1);
        FarmSettings.Topics elsewhere = new FarmSettings.Topics(own.jobs(), TOPICS.events(), own.deadLetters(), own.chunks());
        String id = "elsewhere-" + UUID.randomUUID().toString().substring(0, 8);
        FarmJobs othersView = new FarmJobs(1000, new EventBroadcaster(1000, 2000));
        try (KafkaFarm other = new KafkaFarm(elsewhere, TestKafka.group("elsewhere"), Path.of(localDir, "elsewhere"),
                tiny.models(), tiny.noting(new ArrayList<>()));
             KafkaJobView view = new KafkaJobView(KafkaJobView.consumerConfig(TestKafka.bootstrapServers(),
                     "elsewhere-view-" + UUID.randomUUID()), TOPICS.events(), othersView)) {
            view.start();
            given().get("/jobs/" + id).then().statusCode(404);
            TestKafka.produce(TestKafka.record(elsewhere.jobs(), id,
                    TinyModel.renderJob(id, "[\"a cat\", \"a dog\", \"a cow\"]", "[5]", 2)));
            CompletableFuture<Delivery> rendering = CompletableFuture.supplyAsync(() -> {
                try {
                    return other.handleNext();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            awaitState(id, "running", "completed");
            String stream = given().accept("text/event-stream").get("/jobs/" + id + "/events").then().statusCode(200)
                    .extract().asString();
            rendering.get(TestKafka.WAIT.toSeconds(), TimeUnit.SECONDS);

            List<String> names = stream.lines().filter(line -> line.startsWith("event:"))
                    .map(line -> line.substring("event:".length()).strip())
                    .filter(name -> !name.equals(JobEvent.Progress.TYPE)).toList();
            assertEquals(List.of("accepted", "task-completed", "task-completed", "task-completed", "completed"), names,
                    stream);
            assertEquals("completed", awaitState(id, "completed"));
            long deadline = System.nanoTime() + TestKafka.WAIT.toNanos();
            while (othersView.find(id).filter(status -> status.state().equals("completed")).isEmpty()
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            byte[] here = given().get("/jobs/" + id).then().statusCode(200).extract().asByteArray();
            byte[] there = mapper.writeValueAsBytes(othersView.find(id).orElseThrow());
            assertEquals(new String(there, StandardCharsets.UTF_8), new String(here, StandardCharsets.UTF_8));
            assertArrayEquals(there, here);
        }
    }

    /** The job's state once it is one of {@code states}, or the last one seen after the wait. */
    private static String awaitState(String id, String... states) throws InterruptedException {
        long deadline = System.nanoTime() + TestKafka.WAIT.toNanos();
        String state = "";
        while (!List.of(states).contains(state) && System.nanoTime() < deadline) {
            Thread.sleep(50);
            var response = given().get("/jobs/" + id);
            state = response.statusCode() == 200 ? response.path("state") : "";
        }
        return state;
    }
}

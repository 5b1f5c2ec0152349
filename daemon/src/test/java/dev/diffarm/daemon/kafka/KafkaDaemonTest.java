package dev.diffarm.daemon.kafka;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.diffarm.daemon.TinyModel;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.JobParser;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/** The whole daemon on Kafka: a job posted over REST goes through the jobs topic, its events to the events topic. */
@QuarkusTest
@QuarkusTestResource(value = KafkaDaemonResource.class, restrictToAnnotatedClass = true)
class KafkaDaemonTest {
    private static final FarmSettings.Topics TOPICS = FarmSettings.Topics.DEFAULT;

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
        given().get("/jobs/" + id).then().statusCode(200).body("state", equalTo("completed"));

        ConsumerRecord<byte[], byte[]> queued = TestKafka.readUntil(TOPICS.jobs(), read -> read.stream()
                .anyMatch(record -> id.equals(TestKafka.text(record.key())))).stream()
                .filter(record -> id.equals(TestKafka.text(record.key()))).findFirst().orElseThrow();
        assertEquals(id, new JobParser().parse(queued.value()).orElseThrow().id(), "the job as queued");
        assertEquals(queued.offset() + 1, TestKafka.awaitCommitted(KafkaClients.GROUP_ID, TOPICS.jobs(), queued.partition(),
                queued.offset() + 1), "the group committed it once completed");
        assertFalse(Files.exists(Path.of(localDir, "events.jsonl")), "events go to the topic, not to a local file");
    }
}

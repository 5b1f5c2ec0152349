package dev.diffarm.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.gallery.JobGallery;
import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.Plan;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Jobs through Kafka and the job lifecycle, rendered by the engine on the tiny model, events back on Kafka. */
class KafkaFarmTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();

    @TempDir
    Path local;
    private final List<String> rendered = Collections.synchronizedList(new ArrayList<>());

    /** The process dying mid-job: not an exception the job lifecycle catches, so nothing is settled. */
    private static final class Killed extends Error {
        Killed() {
            super("killed");
        }
    }

    /** The engine renderer, noting each task it renders; the process dies before task {@code dieAt} (-1: never). */
    private TaskRenderer engine(int dieAt) {
        TaskRenderer noting = tiny.noting(rendered);
        return (task, progress) -> {
            if (task.index() == dieAt) {
                throw new Killed();
            }
            return noting.render(task, progress);
        };
    }

    @Test
    void goodJobsRenderAndBadSubmissionsAreRejectedOrDeadLetteredWithTheirReasons() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("farm", 1);
        String group = TestKafka.group("farm");
        String first = TinyModel.renderJob("first", "[\"a cat in a hat\"]", "[1, 2]", 2);
        String badSteps = TinyModel.renderJob("bad-steps", "[\"x\"]", "[1]", -1);
        String badSampler = TinyModel.renderJob("bad-sampler", "[\"x\"]", "[1]", 2).replace("\"Euler a\"", "\"Eular a\"");
        String after = TinyModel.renderJob("after", "[\"a dog on a log\"]", "[3]", 2);
        TestKafka.produce(TestKafka.record(topics.jobs(), "first", first),
                TestKafka.record(topics.jobs(), "garbage", "this is { not json"),
                TestKafka.record(topics.jobs(), null, "{\"hello\": \"world\"}"),
                TestKafka.record(topics.jobs(), "bad-steps", badSteps),
                TestKafka.record(topics.jobs(), "bad-sampler", badSampler),
                TestKafka.record(topics.jobs(), "after", after));

        try (KafkaFarm farm = new KafkaFarm(topics, group, local.resolve("outputs"), tiny.models(), engine(-1))) {
            for (int i = 0; i < 6; i++) {
                farm.handleNext();
            }
        }

        assertEquals(6, TestKafka.committed(group, topics.jobs(), 0), "every submission settled");
        List<ConsumerRecord<byte[], byte[]>> records = TestKafka.readUntil(topics.events(),
                read -> completed(read, "first") && completed(read, "after"));
        List<JobEvent> events = records.stream().map(record -> JobEvent.parse(TestKafka.text(record.value()))).toList();

        Plan plan = ((ImageJob) new JobParser().parse(first).orElseThrow()).plan();
        assertEquals(List.of("accepted", "task-completed", "task-completed", "completed"), milestones(events, "first"));
        assertEquals(plan.keys(), eventsOf(events, "first").stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(event -> ((JobEvent.TaskCompleted) event).key()).toList(), "each task-completed event has its key");
        List<String> allKeys = new ArrayList<>(plan.keys());
        allKeys.add("jobs/first/contact-sheet-0001.png");
        allKeys.add("jobs/first/page-0001.html");
        allKeys.add("jobs/first/" + JobGallery.INDEX);
        assertEquals(List.of(new JobEvent.Completed("first", allKeys)),
                eventsOf(events, "first").stream().filter(JobEvent.Completed.class::isInstance).toList());
        for (ConsumerRecord<byte[], byte[]> record : records) {
            JobEvent event = JobEvent.parse(TestKafka.text(record.value()));
            assertEquals(event.recordKey().orElse(null), TestKafka.text(record.key()), "keyed by job id: " + event.toJson());
        }

        assertRejected(records, "bad-steps", "steps", "steps = -1: expected an integer in 1..1000");
        assertRejected(records, "bad-sampler", "sampler", "sampler = \"Eular a\": expected a sampler this farm has: DDIM,");

        List<ConsumerRecord<byte[], byte[]>> letters = TestKafka.readUntil(topics.deadLetters(), read -> read.size() >= 2);
        assertEquals(2, letters.size());
        assertEquals("this is { not json", TestKafka.text(letters.get(0).value()));
        assertEquals("garbage", TestKafka.text(letters.get(0).key()));
        assertTrue(header(letters.get(0), DeadLetters.REASON).startsWith("not-json: not JSON ("), header(letters.get(0), DeadLetters.REASON));
        assertEquals("1", header(letters.get(0), DeadLetters.OFFSET));
        assertEquals("{\"hello\": \"world\"}", TestKafka.text(letters.get(1).value()));
        assertTrue(header(letters.get(1), DeadLetters.REASON).contains("apiVersion is missing"), header(letters.get(1), DeadLetters.REASON));
        assertEquals("2", header(letters.get(1), DeadLetters.OFFSET));
        assertEquals(2, events.stream().filter(event -> event.recordKey().isEmpty()).count(),
                "the dead letters are reported as rejected submissions without a job id");

        assertEquals(List.of("accepted", "task-completed", "completed"), milestones(events, "after"),
                "a good job after the bad ones still renders");
        assertEquals(List.of("jobs/first/t0000.png", "jobs/first/t0001.png", "jobs/after/t0000.png"), rendered);
    }

    /**
     * The acceptance case of a daemon killed in the middle of a 12-task job and started again: the job comes back
     * from the topic, the stored tasks are skipped, and every image is rendered exactly once.
     */
    @Test
    void aJobInterruptedMidwayIsDeliveredAgainAndEachImageIsRenderedOnce() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("resume", 3);
        String group = TestKafka.group("resume");
        String seeds = IntStream.rangeClosed(1, 12).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
        String job = TinyModel.renderJob("twelve", "[\"a cat in a hat\"]", seeds, 2);
        Path outputs = local.resolve("outputs");

        String origin;
        try (KafkaFarm dying = new KafkaFarm(topics, group, outputs, tiny.models(), engine(5))) {
            dying.source.enqueue("twelve", job, "local");
            Delivery delivery = TestKafka.next(dying.source);
            origin = delivery.origin();
            assertThrows(Killed.class, () -> dying.handle(delivery));
        }
        assertEquals(5, rendered.size(), "five tasks stored before the kill");

        try (KafkaFarm restarted = new KafkaFarm(topics, group, outputs, tiny.models(), engine(-1))) {
            Delivery again = restarted.handleNext();
            assertEquals(origin, again.origin(), "the unacknowledged job is delivered again");
            // Each image with its sidecar and thumbnail, then one contact sheet, its page and the index.
            assertEquals(12 * 3 + 3, restarted.store.list("jobs/twelve/").size(), restarted.store.list("jobs/twelve/").toString());
        }

        Plan plan = ((ImageJob) new JobParser().parse(job).orElseThrow()).plan();
        assertEquals(plan.keys(), rendered, "every image rendered once, in plan order");
        int partition = Integer.parseInt(origin.substring(origin.lastIndexOf('-') + 1, origin.indexOf('@')));
        assertEquals(1, TestKafka.committed(group, topics.jobs(), partition), "committed once completed");

        List<JobEvent> events = TestKafka.readUntil(topics.events(), read -> completed(read, "twelve")).stream()
                .map(record -> JobEvent.parse(TestKafka.text(record.value()))).toList();
        List<Boolean> skipped = eventsOf(events, "twelve").stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(event -> ((JobEvent.TaskCompleted) event).skipped()).toList();
        List<Boolean> expected = new ArrayList<>(Collections.nCopies(5, false));
        expected.addAll(Collections.nCopies(5, true));
        expected.addAll(Collections.nCopies(7, false));
        assertEquals(expected, skipped, "five rendered, then after the restart five skipped and seven rendered");
        List<String> allKeys = new ArrayList<>(plan.keys());
        allKeys.add("jobs/twelve/contact-sheet-0001.png");
        allKeys.add("jobs/twelve/page-0001.html");
        allKeys.add("jobs/twelve/" + JobGallery.INDEX);
        assertEquals(List.of(new JobEvent.Completed("twelve", allKeys)),
                eventsOf(events, "twelve").stream().filter(JobEvent.Completed.class::isInstance).toList());
    }

    /**
     * Issue 14: a job submitted over REST by tenant acme on one daemon is taken up by another (whose registry has never
     * heard of it) that trusts the topic's tenant header: it runs as acme, under acme's prefix.
     */
    @Test
    void aRestJobKeepsItsTenantThroughTheTopicToTheDaemonThatRunsIt() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("tenant", 1);
        String group = TestKafka.group("tenant");
        Path outputs = local.resolve("outputs");
        String id = "acme-cat";
        byte[] job = TinyModel.renderJob(id, "[\"a cat in a hat\"]", "[1]", 2).getBytes(java.nio.charset.StandardCharsets.UTF_8);

        try (KafkaFarm intakeDaemon = new KafkaFarm(topics, group + "-intake", outputs, tiny.models(), engine(-1), true)) {
            assertTrue(intakeDaemon.intake.submit(job, "acme") instanceof dev.diffarm.daemon.job.JobIntake.Submission.Queued);
        }
        ConsumerRecord<byte[], byte[]> queued = TestKafka.readUntil(topics.jobs(), read -> !read.isEmpty()).get(0);
        assertEquals("acme", header(queued, Delivery.TENANT_HEADER), "the record carries the caller's tenant");

        try (KafkaFarm worker = new KafkaFarm(topics, group, outputs, tiny.models(), engine(-1), true)) {
            Delivery delivery = worker.handleNext();
            assertEquals(java.util.Optional.of("acme"), delivery.tenant());
            dev.diffarm.daemon.job.TrackedJob ran = worker.registry.find(id).orElseThrow();
            assertEquals("acme", ran.tenant(), "the job runs as its tenant, so only acme may read or cancel it");
            assertEquals(dev.diffarm.daemon.job.JobState.COMPLETED, ran.state());
            assertTrue(worker.store.list("tenants/acme/jobs/" + id + "/").contains("tenants/acme/jobs/" + id + "/t0000.png"),
                    worker.store.list("tenants/acme/jobs/" + id + "/").toString());
            assertEquals(List.of(), worker.store.list("jobs/" + id + "/"), "nothing under tenant local's prefix");
        }
        assertEquals(List.of("jobs/" + id + "/t0000.png"), rendered, "rendered once, its key within acme's part of the store");
        assertEquals(1, TestKafka.committed(group, topics.jobs(), 0), "settled once completed");
    }

    private static void assertRejected(List<ConsumerRecord<byte[], byte[]>> records, String jobId, String field,
                                       String messageStart) throws IOException {
        List<ConsumerRecord<byte[], byte[]>> ofJob = records.stream().filter(record -> jobId.equals(TestKafka.text(record.key())))
                .toList();
        assertEquals(1, ofJob.size(), jobId + ": " + ofJob);
        JsonNode event = JSON.readTree(ofJob.get(0).value());
        assertEquals("rejected", event.path("type").asText());
        assertEquals(jobId, event.path("jobId").asText());
        assertEquals(field, event.path("error").path("field").asText());
        assertTrue(event.path("error").path("code").isTextual(), event.toString());
        assertTrue(event.path("error").path("message").asText().startsWith(messageStart), event.toString());
    }

    private static boolean completed(List<ConsumerRecord<byte[], byte[]>> records, String jobId) {
        return records.stream().anyMatch(record -> jobId.equals(TestKafka.text(record.key()))
                && JobEvent.parse(TestKafka.text(record.value())) instanceof JobEvent.Completed);
    }

    private static List<JobEvent> eventsOf(List<JobEvent> events, String jobId) {
        return events.stream().filter(event -> event.recordKey().filter(jobId::equals).isPresent()).toList();
    }

    private static List<String> milestones(List<JobEvent> events, String jobId) {
        return eventsOf(events, jobId).stream().map(JobEvent::type).filter(type -> !type.equals(JobEvent.Progress.TYPE)).toList();
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : TestKafka.text(header.value());
    }
}

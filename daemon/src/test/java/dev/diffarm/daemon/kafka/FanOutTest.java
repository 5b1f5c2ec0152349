package dev.diffarm.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.job.JobState;
import dev.diffarm.daemon.job.TrackedJob;
import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.daemon.service.Worker;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13, fan-out: a large job split into chunks on the chunks topic, rendered by every daemon of the group into one
 * store, and completed once by whichever daemon handles its finalize record. Real broker, real job lifecycle; the
 * renderer is a stand-in that records which daemon rendered which task.
 */
class FanOutTest {
    @TempDir
    Path dir;

    @Test
    void twoDaemonsRenderTheChunksOfOneJobEachImageOnceAndTheJobCompletesOnce() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("fanout", 1, 4);
        String group = TestKafka.group("fanout");
        Path outputs = dir.resolve("outputs");
        List<String> firstRendered = Collections.synchronizedList(new ArrayList<>());
        List<String> secondRendered = Collections.synchronizedList(new ArrayList<>());
        try (KafkaFarm first = KafkaFarm.fanningOut(topics, group, outputs, TinyModel.modelsDir(dir.resolve("m1")),
                recording(firstRendered, Duration.ofMillis(300)), 2);
             KafkaFarm second = KafkaFarm.fanningOut(topics, group, outputs, TinyModel.modelsDir(dir.resolve("m2")),
                     recording(secondRendered, Duration.ofMillis(300)), 2);
             Worker firstWorker = first.worker("first");
             Worker secondWorker = second.worker("second")) {
            firstWorker.start();
            secondWorker.start();
            TestKafka.awaitMembers(group, topics.chunks(), 2);
            TestKafka.produce(TestKafka.record(topics.jobs(), "wide", TinyModel.renderJob("wide", "[\"x\"]", seeds(12), 2)));
            awaitEvents(topics, "wide", 1);
            // Time for a second completion, were there one: both daemons idle again with nothing left to take.
            Thread.sleep(3000);
        }

        System.out.printf("first rendered %s%nsecond rendered %s%n", firstRendered, secondRendered);
        assertFalse(firstRendered.isEmpty(), "the first daemon rendered some tasks");
        assertFalse(secondRendered.isEmpty(), "the second daemon rendered some tasks");
        List<String> all = Stream.concat(firstRendered.stream(), secondRendered.stream()).sorted().toList();
        assertEquals(taskKeys("wide", 12), all, "every task rendered once, by one daemon or the other");
        assertEquals(taskKeys("wide", 12), storedImages(outputs, "wide"));

        List<JobEvent> events = eventsOf(topics, "wide");
        assertEquals(1, events.stream().filter(JobEvent.Accepted.class::isInstance).count(), "accepted once");
        List<JobEvent.Completed> completed = events.stream().filter(JobEvent.Completed.class::isInstance)
                .map(JobEvent.Completed.class::cast).toList();
        assertEquals(1, completed.size(), "completed once: " + events);
        assertEquals(taskKeys("wide", 12), completed.get(0).keys().stream().filter(key -> key.matches(".*/t\\d+\\.png"))
                .sorted().toList());
        assertTrue(completed.get(0).keys().contains("jobs/wide/index.html"), completed.get(0).keys().toString());
        assertTrue(Files.exists(outputs.resolve("jobs/wide/index.html")), "the overview is stored");
        List<JobEvent.TaskCompleted> tasks = events.stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(JobEvent.TaskCompleted.class::cast).toList();
        assertEquals(12, tasks.stream().map(JobEvent.TaskCompleted::taskId).distinct().count(), tasks.toString());
        assertTrue(tasks.stream().noneMatch(JobEvent.TaskCompleted::skipped), "nothing skipped: " + tasks);
        assertTrue(events.stream().noneMatch(JobEvent.Failed.class::isInstance), events.toString());

        List<String> partKeys = TestKafka.readUntil(topics.chunks(), read -> read.stream()
                .anyMatch(record -> TestKafka.text(record.key()).equals("wide"))).stream()
                .map(record -> TestKafka.text(record.key())).toList();
        System.out.printf("records of the chunks topic: %s%n", partKeys);
        assertEquals(IntStream.range(0, 6).mapToObj(chunk -> "wide/" + chunk).toList(),
                partKeys.stream().filter(key -> key.contains("/")).sorted().toList(), "six chunks of two tasks");
    }

    @Test
    void aChunkDeliveredAgainAfterItsDaemonDiedRendersOnlyTheTasksNotStored() throws Exception {
        // One partition: both chunks and the finalize record in order, whichever daemon has it.
        FarmSettings.Topics topics = TestKafka.topics("chunk-died", 1, 1);
        String group = TestKafka.group("chunk-died");
        Path outputs = dir.resolve("outputs");
        List<String> firstRendered = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch stuck = new CountDownLatch(1);
        CountDownLatch released = new CountDownLatch(1);
        TaskRenderer dying = (task, progress) -> {
            firstRendered.add(task.key());
            if (task.key().endsWith("t0001.png")) {
                stuck.countDown();
                await(released);
                throw new CancellationException("the daemon died at " + task.key());
            }
            return png(task.key());
        };
        TestKafka.produce(TestKafka.record(topics.jobs(), "died", TinyModel.renderJob("died", "[\"x\"]", seeds(6), 2)));
        KafkaFarm first = KafkaFarm.fanningOut(topics, group, outputs, TinyModel.modelsDir(dir.resolve("m1")), dying, 3);
        CompletableFuture<Delivery> chunk;
        try {
            assertEquals(topics.jobs() + "-0@0", first.handleNext().origin(), "the job, split");
            chunk = CompletableFuture.supplyAsync(() -> {
                try {
                    return first.handleNext();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(stuck.await(TestKafka.WAIT.toSeconds(), TimeUnit.SECONDS), "the first chunk began");
        } finally {
            // Dies: its consumer leaves the group, the chunk in hand uncommitted.
            first.close();
        }

        List<String> secondRendered = Collections.synchronizedList(new ArrayList<>());
        try (KafkaFarm second = KafkaFarm.fanningOut(topics, group, outputs, TinyModel.modelsDir(dir.resolve("m2")),
                recording(secondRendered, Duration.ZERO), 3)) {
            assertEquals(topics.chunks() + "-0@0", second.handleNext().origin(), "the first chunk again");
            assertEquals(topics.chunks() + "-0@1", second.handleNext().origin(), "the second chunk");
            assertEquals(topics.chunks() + "-0@2", second.handleNext().origin(), "the finalize record");
        } finally {
            released.countDown();
        }
        chunk.get(TestKafka.WAIT.toSeconds(), TimeUnit.SECONDS);

        assertEquals(List.of("jobs/died/t0000.png", "jobs/died/t0001.png"), firstRendered);
        assertEquals(taskKeys("died", 6).subList(1, 6), secondRendered, "t0000 was stored: only the rest rendered");
        assertEquals(taskKeys("died", 6), storedImages(outputs, "died"));
        List<JobEvent> events = awaitEvents(topics, "died", 1);
        List<JobEvent.TaskCompleted> skipped = events.stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(JobEvent.TaskCompleted.class::cast).filter(JobEvent.TaskCompleted::skipped).toList();
        assertEquals(List.of("t0000"), skipped.stream().map(JobEvent.TaskCompleted::taskId).toList());
        assertTrue(events.stream().noneMatch(JobEvent.Failed.class::isInstance), events.toString());
        assertEquals(3, TestKafka.awaitCommitted(group, topics.chunks(), 0, 3), "both chunks and the finalize committed");
    }

    @Test
    void aSplitJobCancelledOnTheDaemonThatSplitItRendersNoTaskNotStartedAndNeverCompletes() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("cancel-split", 1, 1);
        String group = TestKafka.group("cancel-split");
        List<String> rendered = Collections.synchronizedList(new ArrayList<>());
        TestKafka.produce(TestKafka.record(topics.jobs(), "halted", TinyModel.renderJob("halted", "[\"x\"]", seeds(6), 2)));
        try (KafkaFarm farm = KafkaFarm.fanningOut(topics, group, dir.resolve("outputs"),
                TinyModel.modelsDir(dir.resolve("m")), recording(rendered, Duration.ZERO), 2)) {
            farm.handleNext();
            assertEquals(Optional.of(TrackedJob.CancelOutcome.STOPPING), farm.intake.cancel("halted"));
            assertEquals(JobState.CANCELLED, farm.registry.find("halted").orElseThrow().state());
            for (int chunk = 0; chunk < 3; chunk++) {
                assertEquals(topics.chunks() + "-0@" + chunk, farm.handleNext().origin());
            }
            assertEquals(3, TestKafka.awaitCommitted(group, topics.chunks(), 0, 3), "each chunk settled");
        }
        assertEquals(List.of(), rendered, "no chunk rendered a task");
        List<JobEvent> events = parse(TestKafka.readUntil(topics.events(), read -> parse(read, "halted").stream()
                .anyMatch(JobEvent.Failed.class::isInstance)), "halted");
        JobEvent.Failed failed = events.stream().filter(JobEvent.Failed.class::isInstance).map(JobEvent.Failed.class::cast)
                .findFirst().orElseThrow();
        assertEquals(JobLifecycle.CANCELLED, failed.error().code());
        assertTrue(events.stream().noneMatch(event -> event instanceof JobEvent.Completed
                || event instanceof JobEvent.TaskCompleted), events.toString());
    }

    private static String seeds(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
    }

    private static List<String> taskKeys(String job, int tasks) {
        return IntStream.range(0, tasks).mapToObj(task -> "jobs/%s/t%04d.png".formatted(job, task)).toList();
    }

    private static List<String> storedImages(Path outputs, String job) throws IOException {
        try (Stream<Path> files = Files.list(outputs.resolve("jobs").resolve(job))) {
            return files.map(file -> "jobs/" + job + "/" + file.getFileName()).filter(key -> key.matches(".*/t\\d+\\.png"))
                    .sorted().toList();
        }
    }

    /** The job's events once {@code completed} of them are there. */
    private static List<JobEvent> awaitEvents(FarmSettings.Topics topics, String job, int completed) {
        TestKafka.readUntil(topics.events(), read -> parse(read, job).stream()
                .filter(JobEvent.Completed.class::isInstance).count() >= completed);
        return eventsOf(topics, job);
    }

    private static List<JobEvent> eventsOf(FarmSettings.Topics topics, String job) {
        // The events topic holds this test's events only; read until a completed one, then everything so far.
        return parse(TestKafka.readUntil(topics.events(), read -> parse(read, job).stream()
                .anyMatch(JobEvent.Completed.class::isInstance)), job);
    }

    private static List<JobEvent> parse(List<ConsumerRecord<byte[], byte[]>> records, String job) {
        return records.stream().map(record -> JobEvent.parse(TestKafka.text(record.value())))
                .filter(event -> event.recordKey().equals(Optional.of(job))).toList();
    }

    private static TaskRenderer recording(List<String> rendered, Duration each) {
        return (task, progress) -> {
            rendered.add(task.key());
            sleep(each);
            return png(task.key());
        };
    }

    private static byte[] png(String text) {
        return PngWriter.encode(new RgbImage(8, 8, new float[3 * 8 * 8]), text);
    }

    private static void await(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

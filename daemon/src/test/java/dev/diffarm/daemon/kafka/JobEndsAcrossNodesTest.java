package dev.diffarm.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.job.JobState;
import dev.diffarm.daemon.job.TrackedJob;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.daemon.status.JobCancels;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CancellationException;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: a job ends alike whichever node ends it. {@code DELETE /jobs/{id}} ({@link JobCancels}) on a node that runs
 * none of the job cancels it farm-wide, split or not: what runs stops at its next step, no task begins after, one
 * {@code failed} (cancelled), every node's {@code GET} says cancelled. A task failing in one chunk fails the split job
 * as it fails a job on one node: the same {@code failed} event, once, the other chunks' images kept and no further task
 * begun. Real broker and job lifecycle; the renderer is a stand-in that takes steps and records what it began and
 * stored.
 */
class JobEndsAcrossNodesTest {
    private static final int STEPS = 20;
    private static final Duration STEP = Duration.ofMillis(50);

    @TempDir
    Path dir;

    @Test
    void aSplitJobCancelledOnANodeThatRunsNoneOfItStopsOnEveryNode() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("cancel-any", 1, 4);
        String group = TestKafka.group("cancel-any");
        Path outputs = dir.resolve("outputs");
        Renders renders = new Renders();
        String id = "spread";
        long cancelledAt;
        long markedAt;
        try (FarmNode first = new FarmNode("first", topics, group, outputs, TinyModel.modelsDir(dir.resolve("m1")),
                renders.stepwise(), 2);
             FarmNode second = new FarmNode("second", topics, group, outputs, TinyModel.modelsDir(dir.resolve("m2")),
                     renders.stepwise(), 2);
             // In a group of its own, never polled: a node that runs none of the job.
             FarmNode idle = new FarmNode("idle", topics, group + "-idle", outputs,
                     TinyModel.modelsDir(dir.resolve("m3")), renders.stepwise(), 2)) {
            first.start();
            second.start();
            TestKafka.awaitMembers(group, topics.chunks(), 2);
            TestKafka.produce(TestKafka.record(topics.jobs(), id, TinyModel.renderJob(id, "[\"x\"]", seeds(12), 2)));
            TestKafka.await(() -> idle.statuses.find(id).map(status -> status.tasksCompleted() >= 2).orElse(false),
                    "two tasks stored, as the idle node sees it");

            assertInstanceOf(JobCancels.Outcome.Unknown.class, idle.cancels.cancel(id, tenant -> false),
                    "another tenant's job is unknown");
            assertInstanceOf(JobCancels.Outcome.Unknown.class, idle.cancels.cancel("no-such-job", tenant -> true));
            cancelledAt = System.nanoTime();
            JobCancels.Outcome outcome = idle.cancels.cancel(id, tenant -> true);
            markedAt = System.nanoTime();
            assertInstanceOf(JobCancels.Outcome.Cancelling.class, outcome, outcome.toString());
            assertTrue(idle.farm.registry.find(id).isEmpty(), "the idle node never ran the job: cancelled for the farm");

            TestKafka.await(() -> Stream.of(first, second, idle)
                    .allMatch(node -> node.state(id).equals(Optional.of("cancelled"))), "every node says cancelled");
            // Time for a straggler, were there one: a task begun, stored or reported after the cancel.
            Thread.sleep(2000);
            assertEquals(first.answer(id), second.answer(id));
            assertEquals(first.answer(id), idle.answer(id), "GET /jobs/" + id + " alike on every node");
            assertInstanceOf(JobCancels.Outcome.Ended.class, idle.cancels.cancel(id, tenant -> true),
                    "cancelled again: it had ended");
            TrackedJob origin = Stream.of(first, second).flatMap(node -> node.farm.registry.find(id).stream())
                    .findFirst().orElseThrow();
            assertEquals(JobState.CANCELLED, origin.state(), "the record of the node that split it ended too");
        }

        System.out.printf("[cancel-any] %s%n", renders);
        assertTrue(renders.stored().size() < 12, "not every task rendered: " + renders.stored());
        assertTrue(renders.stopped().keySet().containsAll(renders.begunAfter(cancelledAt)),
                "a task begun as the cancel came stopped: " + renders);
        // A chunk looks for the mark before each task: none begins once it is written (a moment for one that looked
        // just before).
        assertTrue(renders.begunAfter(markedAt + Duration.ofMillis(500).toNanos()).isEmpty(),
                "no task begun after the cancel: " + renders);
        assertFalse(renders.stopped().isEmpty(), "a render running at the cancel stopped at its next step: " + renders);
        assertEquals(renders.stored(), storedImages(outputs, id), "what was rendered in full is stored, nothing else");
        assertCancelledOnce(topics, id);
    }

    @Test
    void aJobRunningOnAnotherNodeStopsAtItsNextStepWhenCancelledOnThisOne() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("cancel-whole", 2);
        String group = TestKafka.group("cancel-whole");
        Path outputs = dir.resolve("outputs");
        Renders renders = new Renders();
        String id = "whole";
        long cancelledAt;
        try (FarmNode first = new FarmNode("first", topics, group, outputs, TinyModel.modelsDir(dir.resolve("m1")),
                renders.stepwise(), 0);
             FarmNode second = new FarmNode("second", topics, group, outputs, TinyModel.modelsDir(dir.resolve("m2")),
                     renders.stepwise(), 0)) {
            first.start();
            second.start();
            TestKafka.awaitMembers(group, topics.jobs(), 2);
            TestKafka.produce(TestKafka.record(topics.jobs(), id, TinyModel.renderJob(id, "[\"x\"]", seeds(4), 2)));
            TestKafka.await(() -> Stream.of(first, second).anyMatch(node -> node.farm.registry.find(id).isPresent())
                    && Stream.of(first, second).allMatch(node -> node.statuses.find(id)
                    .map(status -> status.tasksCompleted() >= 1).orElse(false)), "a task stored, as both nodes see it");
            FarmNode runner = first.farm.registry.find(id).isPresent() ? first : second;
            FarmNode other = runner == first ? second : first;

            cancelledAt = System.nanoTime();
            assertInstanceOf(JobCancels.Outcome.Cancelling.class, other.cancels.cancel(id, tenant -> true));
            TestKafka.await(() -> runner.farm.registry.find(id).orElseThrow().state().isFinal(),
                    "the runner's job ended");
            assertEquals(JobState.CANCELLED, runner.farm.registry.find(id).orElseThrow().state());
            TestKafka.await(() -> Stream.of(first, second)
                    .allMatch(node -> node.state(id).equals(Optional.of("cancelled"))), "both nodes say cancelled");
            Thread.sleep(2000);
            assertEquals(runner.answer(id), other.answer(id), "GET /jobs/" + id + " alike on both nodes");
            assertTrue(other.farm.registry.find(id).isEmpty(), "the node that cancelled it never ran it");
        }

        System.out.printf("[cancel-whole] %s%n", renders);
        assertEquals(1, renders.stopped().size(), "the render in progress stopped at its next step: " + renders);
        assertTrue(renders.stopped().keySet().containsAll(renders.begunAfter(cancelledAt)),
                "a task begun as the cancel came stopped: " + renders);
        assertTrue(renders.stored().size() < 4, renders.toString());
        assertEquals(renders.stored(), storedImages(outputs, id));
        assertCancelledOnce(topics, id);
    }

    @Test
    void aTaskFailingInOneChunkFailsTheJobOnceAsOnOneNode() throws Exception {
        // The failing task, t0004, begins chunk 2; chunks 0, 2 and 4 share a partition of the two, in that order.
        String id = "faulty";
        String job = TinyModel.renderJob(id, "[\"x\"]", seeds(12), 2);
        FarmSettings.Topics alone = TestKafka.topics("fail-alone", 1);
        JobEvent.Failed onOneNode;
        try (KafkaFarm node = new KafkaFarm(alone, TestKafka.group("fail-alone"), dir.resolve("alone"),
                TinyModel.modelsDir(dir.resolve("m0")), failingAt("t0004", new Renders()))) {
            TestKafka.produce(TestKafka.record(alone.jobs(), id, job));
            node.handleNext();
            onOneNode = failures(events(alone, id)).get(0);
        }

        FarmSettings.Topics topics = TestKafka.topics("fail-chunk", 1, 2);
        String group = TestKafka.group("fail-chunk");
        Path outputs = dir.resolve("outputs");
        Renders renders = new Renders();
        try (FarmNode first = new FarmNode("first", topics, group, outputs, TinyModel.modelsDir(dir.resolve("m1")),
                failingAt("t0004", renders), 2);
             FarmNode second = new FarmNode("second", topics, group, outputs, TinyModel.modelsDir(dir.resolve("m2")),
                     failingAt("t0004", renders), 2)) {
            first.start();
            second.start();
            TestKafka.awaitMembers(group, topics.chunks(), 2);
            TestKafka.produce(TestKafka.record(topics.jobs(), id, job));
            TestKafka.await(() -> Stream.of(first, second)
                    .allMatch(node -> node.state(id).equals(Optional.of("failed"))), "both nodes say failed");
            // Time for a second failed event or a completed one, were there any.
            Thread.sleep(3000);
            assertEquals(first.answer(id), second.answer(id), "GET /jobs/" + id + " alike on both nodes");
            assertEquals(List.of(onOneNode.error()), first.statuses.find(id).orElseThrow().errors());
            TrackedJob origin = Stream.of(first, second).flatMap(node -> node.farm.registry.find(id).stream())
                    .findFirst().orElseThrow();
            assertEquals(JobState.FAILED, origin.state(), "the record of the node that split it failed too");
        }

        System.out.printf("[fail-chunk] on one node %s%n[fail-chunk] %s%n", onOneNode.toJson(), renders);
        List<JobEvent> events = events(topics, id);
        List<JobEvent.Failed> failed = failures(events);
        assertEquals(List.of(onOneNode), failed, "the failed event of one node, once: " + events);
        assertTrue(events.stream().noneMatch(JobEvent.Completed.class::isInstance), events.toString());
        assertFalse(renders.stored().contains(key(id, 4)));
        assertTrue(renders.begun().stream().noneMatch(key -> key.equals(key(id, 5)) || key.equals(key(id, 8))
                || key.equals(key(id, 9))), "the failed chunk and the next on its partition rendered nothing more: "
                + renders);
        Set<String> reported = events.stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(event -> ((JobEvent.TaskCompleted) event).key()).collect(Collectors.toCollection(TreeSet::new));
        assertEquals(reported, renders.stored(), "every task rendered was reported");
        assertEquals(renders.stored(), storedImages(outputs, id), "the other chunks' images are kept");
        assertTrue(renders.stored().containsAll(List.of(key(id, 0), key(id, 1))), renders.toString());
    }

    /** What the stand-in renderers of a test began, stored and stopped. */
    private static final class Renders {
        private final Map<String, Long> begun = new ConcurrentHashMap<>();
        private final Set<String> stored = ConcurrentHashMap.newKeySet();
        private final Map<String, Integer> stopped = new ConcurrentHashMap<>();

        /** Takes {@value #STEPS} steps of {@link #STEP}, stopping at a step once cancelled. */
        TaskRenderer stepwise() {
            return (task, progress) -> {
                begun.put(task.key(), System.nanoTime());
                for (int step = 0; step < STEPS; step++) {
                    if (progress.isCancelled()) {
                        stopped.put(task.key(), step);
                        throw new CancellationException("cancelled at step " + step);
                    }
                    sleep(STEP);
                }
                stored.add(task.key());
                return PngWriter.encode(new RgbImage(8, 8, new float[3 * 8 * 8]), task.key());
            };
        }

        Set<String> begun() {
            return new TreeSet<>(begun.keySet());
        }

        List<String> begunAfter(long nanoTime) {
            return begun.entrySet().stream().filter(entry -> entry.getValue() > nanoTime).map(Map.Entry::getKey).toList();
        }

        Set<String> stored() {
            return new TreeSet<>(stored);
        }

        Map<String, Integer> stopped() {
            return Map.copyOf(stopped);
        }

        @Override
        public String toString() {
            return "begun " + begun() + ", stored " + stored() + ", stopped at step " + stopped;
        }
    }

    /** Renders as {@link Renders#stepwise()}, but the task {@code taskId} fails as a render does. */
    private static TaskRenderer failingAt(String taskId, Renders renders) {
        TaskRenderer stepwise = renders.stepwise();
        return (task, progress) -> {
            if (task.key().endsWith("/" + taskId + ".png")) {
                renders.begun.put(task.key(), System.nanoTime());
                throw new RenderException("render-failed", "the stand-in cannot render " + task.key(), null);
            }
            return stepwise.render(task, progress);
        };
    }

    private static String seeds(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
    }

    private static String key(String job, int task) {
        return "jobs/%s/t%04d.png".formatted(job, task);
    }

    private static Set<String> storedImages(Path outputs, String job) throws IOException {
        Path folder = outputs.resolve("jobs").resolve(job);
        if (!Files.isDirectory(folder)) {
            return Set.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(file -> "jobs/" + job + "/" + file.getFileName()).filter(key -> key.matches(".*/t\\d+\\.png"))
                    .collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /** The job's events on the topic, every one sent so far. */
    private static List<JobEvent> events(FarmSettings.Topics topics, String job) {
        return parse(TestKafka.readAll(topics.events()), job);
    }

    /** The job's events hold one {@code failed}, cancelled, and no {@code completed}. */
    private static void assertCancelledOnce(FarmSettings.Topics topics, String id) {
        List<JobEvent> events = events(topics, id);
        List<JobEvent.Failed> failed = failures(events);
        assertEquals(1, failed.size(), "one failed event: " + events);
        assertEquals(JobLifecycle.CANCELLED, failed.get(0).error().code());
        assertTrue(events.stream().noneMatch(JobEvent.Completed.class::isInstance), events.toString());
    }

    private static List<JobEvent.Failed> failures(List<JobEvent> events) {
        return events.stream().filter(JobEvent.Failed.class::isInstance).map(JobEvent.Failed.class::cast).toList();
    }

    private static List<JobEvent> parse(List<ConsumerRecord<byte[], byte[]>> records, String job) {
        return records.stream().map(record -> JobEvent.parse(TestKafka.text(record.value())))
                .filter(event -> event.recordKey().equals(Optional.of(job))).toList();
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

package dev.diffarm.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.job.JobState;
import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.JobEvent;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 13: when the group moves the partition of a job a daemon is running, that daemon stops the job at its next
 * step instead of finishing a duplicate, and the partition's new owner runs it and commits it. Real broker, real job
 * lifecycle on both daemons.
 */
class PartitionMovedMidJobTest {
    /** Steps of the first daemon's render: far more than the test waits for, so only a stop ends it early. */
    private static final int SLOW_STEPS = 600;

    @TempDir
    Path dir;

    @Test
    void theOldOwnerStopsAtItsNextStepAndTheNewOwnerRunsTheJob() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("moved", 2);
        String group = TestKafka.group("moved");
        String job = TinyModel.renderJob("moving", "[\"x\"]", "[1, 2]", 2);
        // Partition 1: the one the group hands to the second daemon when it joins.
        TestKafka.produce(new ProducerRecord<>(topics.jobs(), 1, TestKafka.utf8("moving"), TestKafka.utf8(job)));

        List<String> firstRendered = Collections.synchronizedList(new ArrayList<>());
        CountDownLatch started = new CountDownLatch(1);
        long[] stoppedAtStep = {-1};
        TaskRenderer slow = (task, progress) -> {
            firstRendered.add(task.key());
            started.countDown();
            for (int step = 0; step < SLOW_STEPS; step++) {
                if (progress.isCancelled()) {
                    stoppedAtStep[0] = step;
                }
                progress.checkCancelled(step);
                progress.onStep(step, SLOW_STEPS, null);
                sleep(100);
            }
            return png(task.parameters().prompt());
        };
        List<String> secondRendered = Collections.synchronizedList(new ArrayList<>());
        TaskRenderer quick = (task, progress) -> {
            secondRendered.add(task.key());
            return png(task.parameters().prompt());
        };

        try (KafkaFarm first = new KafkaFarm(topics, group, dir.resolve("first"), TinyModel.modelsDir(dir.resolve("m1")), slow)) {
            CompletableFuture<Delivery> running = CompletableFuture.supplyAsync(() -> {
                try {
                    return first.handleNext();
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            assertTrue(started.await(TestKafka.WAIT.toSeconds(), TimeUnit.SECONDS), "the first daemon started the job");
            try (KafkaFarm second = new KafkaFarm(topics, group, dir.resolve("second"),
                    TinyModel.modelsDir(dir.resolve("m2")), quick)) {
                long joined = System.nanoTime();
                Delivery moved = second.handleNext();
                assertEquals(topics.jobs() + "-1@0", moved.origin(), "the new owner delivers the job again");

                Delivery stopped = running.get(30, TimeUnit.SECONDS);
                double stoppedAfter = (System.nanoTime() - joined) / 1e9;
                System.out.printf("the old owner stopped at step %d of %d, %.1f s after the second daemon joined%n",
                        stoppedAtStep[0], SLOW_STEPS, stoppedAfter);
                assertTrue(stopped.isWithdrawn(), "withdrawn from the old owner");
                assertTrue(stoppedAtStep[0] > 0 && stoppedAtStep[0] < SLOW_STEPS / 2,
                        "stopped at a step, long before its end: " + stoppedAtStep[0]);
                assertEquals(List.of("jobs/moving/t0000.png"), firstRendered, "the old owner went no further");
                assertEquals(JobState.FAILED, first.registry.find("moving").orElseThrow().state());
                assertEquals(JobState.COMPLETED, second.registry.find("moving").orElseThrow().state());
                assertEquals(List.of("jobs/moving/t0000.png", "jobs/moving/t0001.png"), secondRendered);
                assertEquals(1, TestKafka.committed(group, topics.jobs(), 1), "committed once, by the new owner");
            }
        }

        List<JobEvent> events = TestKafka.readUntil(topics.events(), read -> {
            List<JobEvent> parsed = read.stream().map(record -> JobEvent.parse(TestKafka.text(record.value()))).toList();
            return parsed.stream().anyMatch(JobEvent.Completed.class::isInstance)
                    && parsed.stream().anyMatch(JobEvent.Failed.class::isInstance);
        }).stream().map(record -> JobEvent.parse(TestKafka.text(record.value()))).toList();
        JobEvent.Failed failed = events.stream().filter(JobEvent.Failed.class::isInstance).map(JobEvent.Failed.class::cast)
                .findFirst().orElseThrow(() -> new AssertionError("no failed event: " + events));
        assertEquals(JobLifecycle.MOVED, failed.error().code());
        assertTrue(failed.error().message().contains("moved to another daemon"), failed.error().message());
        assertEquals(1, events.stream().filter(JobEvent.Completed.class::isInstance).count(), "completed once");
    }

    private static byte[] png(String prompt) {
        return PngWriter.encode(new RgbImage(8, 8, new float[3 * 8 * 8]), prompt);
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}

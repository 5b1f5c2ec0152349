package dev.diffarm.daemon.kafka;

import static dev.diffarm.daemon.kafka.TestKafka.committed;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.diffarm.daemon.EngineCalls;
import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.Pixels;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.farm.config.FarmSettings;
import dev.diffarm.farm.config.TaskSpec;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cross-job batching on the real broker: one-task jobs of one key, one per partition of four, rendered by one worker
 * with batches of 4 as batches of four jobs, each image the one its job renders alone, each partition's offset
 * committed only once its job is stored; and a worker that stops with two jobs of its batch not run leaves them to the
 * next consumer, which renders them, while the two stored are not delivered again.
 */
class CrossJobKafkaBatchesTest {
    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();
    private static final int BATCH = 4;
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    private static String job(String id, int seed) {
        return """
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "%s", "model": "tiny",
                 "prompts": ["a lighthouse, %s"], "seeds": [%d], "width": 32, "height": 32, "steps": 4,
                 "sampler": "Euler a", "cfg": 7.0}""".formatted(id, id, seed);
    }

    private static List<String> ids(String prefix, int count) {
        return IntStream.range(0, count).mapToObj(n -> prefix + n).toList();
    }

    /** Job {@code i} goes to partition {@code i % 4}, so that each batch's jobs are of four partitions. */
    private static void produce(FarmSettings.Topics topics, List<String> ids, int firstSeed) {
        for (int i = 0; i < ids.size(); i++) {
            TestKafka.produce(new ProducerRecord<>(topics.jobs(), i % PARTITIONS, TestKafka.utf8(ids.get(i)),
                    TestKafka.utf8(job(ids.get(i), firstSeed + i))));
        }
    }

    private TaskRenderer engine() {
        return tiny.renderer(dir.resolve("loras"), dir.resolve("embeddings"));
    }

    /** A farm with batches of 4, adding the job ids of each engine call to {@code calls}. */
    private KafkaFarm batching(FarmSettings.Topics topics, String group, Path outputs, List<Set<String>> calls) {
        return KafkaFarm.batching(topics, group, outputs, tiny.models(), EngineCalls.noted(engine(),
                tasks -> calls.add(Set.copyOf(tasks.stream().map(TaskSpec::jobId).toList()))), BATCH);
    }

    /** The jobs rendered each alone, by a farm on the local queue: the reference images. */
    private LocalFarm renderedAlone(List<String> ids, int firstSeed) {
        LocalFarm alone = new LocalFarm(dir.resolve("alone"), tiny.models(), engine());
        for (int i = 0; i < ids.size(); i++) {
            alone.drop(ids.get(i) + ".json", job(ids.get(i), firstSeed + i));
        }
        alone.runUntilIdle();
        return alone;
    }

    /**
     * The next delivery, once {@code others} more wait in the source besides it: a batch it leads can then take them
     * (the consumer hands records over one poll at a time).
     */
    private static Delivery nextWith(KafkaFarm farm, int others) throws InterruptedException {
        Delivery lead = TestKafka.next(farm.source);
        long deadline = System.nanoTime() + TestKafka.WAIT.toNanos();
        while (waiting(farm) < others) {
            if (System.nanoTime() > deadline) {
                fail(others + " deliveries did not come to wait in " + TestKafka.WAIT.toSeconds() + " s");
            }
            Thread.sleep(100);
        }
        return lead;
    }

    /** How many deliveries wait in the source, counted by a look that takes none. */
    private static int waiting(KafkaFarm farm) {
        AtomicInteger seen = new AtomicInteger();
        farm.source.takeWaiting(delivery -> {
            seen.incrementAndGet();
            return false;
        }, Integer.MAX_VALUE);
        return seen.get();
    }

    @Test
    void oneTaskJobsOfFourPartitionsRenderAsBatchesOfFourJobsEachImageAsAlone() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("crossjob", PARTITIONS);
        String group = TestKafka.group("crossjob");
        List<String> ids = ids("k", 8);
        LocalFarm alone = renderedAlone(ids, 40);
        produce(topics, ids, 40);
        List<Set<String>> calls = Collections.synchronizedList(new ArrayList<>());
        try (KafkaFarm farm = batching(topics, group, dir.resolve("outputs"), calls)) {
            for (int round = 0; round < 2; round++) {
                farm.handle(nextWith(farm, BATCH - 1));
                for (int taken = 1; taken < BATCH; taken++) {
                    farm.handleNext();
                }
            }
            assertEquals(List.of(Set.copyOf(ids.subList(0, 4)), Set.copyOf(ids.subList(4, 8))), calls,
                    "two engine calls, each of one job of every partition");
            for (int partition = 0; partition < PARTITIONS; partition++) {
                assertEquals(2, committed(group, topics.jobs(), partition), "partition " + partition + ": both jobs");
            }
            for (String id : ids) {
                assertEquals("completed", farm.registry.find(id).orElseThrow().status().state(), id);
            }
            double worst = worstDifference(alone, dir.resolve("outputs"), ids);
            System.out.printf("Kafka: 8 one-task jobs on 4 partitions, cross-job batches of 4 vs each alone: max abs "
                    + "pixel difference %.3g (1/255 = %.3g)%n", worst, 1 / 255.0);
            assertTrue(worst <= 1 / 255.0 + 1e-6, "max abs pixel difference " + worst);
        }
    }

    @Test
    void aWorkerStoppedWithJobsOfItsBatchNotRunLeavesThemToTheNextConsumerAndNothingRendersTwice() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("crossjob-stop", PARTITIONS);
        String group = TestKafka.group("crossjob-stop");
        List<String> ids = ids("s", 4);
        LocalFarm alone = renderedAlone(ids, 60);
        produce(topics, ids, 60);
        Path outputs = dir.resolve("outputs");
        List<Set<String>> before = Collections.synchronizedList(new ArrayList<>());
        List<String> ranBefore = new ArrayList<>();
        try (KafkaFarm farm = batching(topics, group, outputs, before)) {
            Delivery lead = nextWith(farm, BATCH - 1);
            farm.handle(lead);
            ranBefore.add(jobId(lead));
            Delivery taken = farm.handleNext();
            ranBefore.add(jobId(taken));
        }
        assertEquals(List.of(Set.copyOf(ids)), before, "one batch of the four jobs");

        List<Set<String>> after = Collections.synchronizedList(new ArrayList<>());
        try (KafkaFarm next = batching(topics, group, outputs, after)) {
            Delivery first = nextWith(next, 1);
            next.handle(first);
            List<String> ranAfter = new ArrayList<>(List.of(jobId(first)));
            while (ranAfter.size() < 2) {
                ranAfter.add(jobId(next.handleNext()));
            }
            assertEquals(Set.copyOf(ids), union(ranBefore, ranAfter), "every job ran once: " + ranBefore + " then "
                    + ranAfter);
            assertEquals(List.of(Set.copyOf(ranAfter)), after, "the two jobs not stored render again, as one batch");
            for (int partition = 0; partition < PARTITIONS; partition++) {
                assertEquals(1, TestKafka.awaitCommitted(group, topics.jobs(), partition, 1), "partition " + partition);
            }
            double worst = worstDifference(alone, outputs, ids);
            System.out.printf("Kafka: a worker stopped mid-batch, its jobs rendered by the next: max abs pixel "
                    + "difference to each alone %.3g%n", worst);
            assertTrue(worst <= 1 / 255.0 + 1e-6, "max abs pixel difference " + worst);
        }
    }

    private static Set<String> union(List<String> a, List<String> b) {
        List<String> both = new ArrayList<>(a);
        both.addAll(b);
        assertEquals(both.size(), Set.copyOf(both).size(), "no job twice: " + both);
        return Set.copyOf(both);
    }

    private static String jobId(Delivery delivery) {
        return TestKafka.text(((KafkaDelivery) delivery).record().key());
    }

    /** The largest pixel difference between the images of the jobs {@code ids} alone and in {@code outputs}. */
    private static double worstDifference(LocalFarm alone, Path outputs, List<String> ids) throws IOException {
        double worst = 0;
        for (String id : ids) {
            String key = "jobs/" + id + "/t0000.png";
            worst = Math.max(worst, Pixels.maxAbsDifference(
                    PngReader.readImage(alone.local.resolve("outputs").resolve(key)),
                    PngReader.readImage(outputs.resolve(key))));
        }
        return worst;
    }
}

package dev.diffarm.daemon.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.port.Delivery;
import dev.diffarm.daemon.s3.S3OutputStore;
import dev.diffarm.daemon.service.StoreWatch;
import dev.diffarm.daemon.services.LocalServices;
import dev.diffarm.farm.config.FarmSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two daemons of one group on the real broker and S3 server, one of them with a wrong S3 secret key: it leaves the
 * group, so every job goes to the healthy one and none waits in a partition the sick one holds; it says why; and it
 * joins again when its store works.
 */
class StoreDownLeavesGroupTest {
    private static final int PARTITIONS = 4;

    @TempDir
    Path dir;

    @Test
    void aDaemonWhoseStoreFailsHoldsNoPartitionsAndJoinsAgainWhenItWorks() throws Exception {
        FarmSettings.Topics topics = TestKafka.topics("store-down", PARTITIONS);
        String group = TestKafka.group("store-down");
        FarmSettings.S3 server = LocalServices.get().settings(dir).s3().orElseThrow();
        FarmSettings.S3 good = new FarmSettings.S3(server.endpoint(), server.accessKey(), server.secretKey(),
                "store-down-" + ProcessHandle.current().pid());
        FarmSettings.S3 wrongSecret = new FarmSettings.S3(server.endpoint(), server.accessKey(), "not-the-secret",
                good.bucket());
        List<String> renderedByHealthy = Collections.synchronizedList(new ArrayList<>());
        try (S3OutputStore healthyStore = new S3OutputStore(good); S3OutputStore sickStore = new S3OutputStore(wrongSecret);
             StoreWatch healthyWatch = new StoreWatch(healthyStore, Duration.ofMillis(500));
             StoreWatch sickWatch = new StoreWatch(sickStore, Duration.ofMillis(500));
             KafkaJobSource sick = TestKafka.source(topics, group, 1)) {
            healthyWatch.start();
            sickWatch.start();
            // The sick daemon is in the group first: before, it kept the partitions it got and their jobs waited.
            sick.workOnlyWhile(sickWatch::isAvailable);
            try (KafkaJobSource healthy = TestKafka.source(topics, group, 1)) {
                healthy.workOnlyWhile(healthyWatch::isAvailable);
                for (int i = 0; i < 2 * PARTITIONS; i++) {
                    TestKafka.produce(new ProducerRecord<>(topics.jobs(), i % PARTITIONS, TestKafka.utf8("job-" + i),
                            TestKafka.utf8("job-" + i)));
                }
                long start = System.nanoTime();
                while (renderedByHealthy.size() < 2 * PARTITIONS && System.nanoTime() - start < TestKafka.WAIT.toNanos()) {
                    healthy.poll(Duration.ofMillis(250)).ifPresent(delivery -> {
                        renderedByHealthy.add(TestKafka.text(delivery));
                        delivery.acknowledge();
                    });
                }
                System.out.printf("the healthy daemon took all %d jobs in %.1f s; the sick one says: %s / %s%n",
                        renderedByHealthy.size(), (System.nanoTime() - start) / 1e9, sick.problem().orElse("-"),
                        sickWatch.problem().orElse("-"));
                assertEquals(2 * PARTITIONS, renderedByHealthy.size(), "every job, by the healthy daemon: " + renderedByHealthy);
                for (int partition = 0; partition < PARTITIONS; partition++) {
                    assertEquals(2, TestKafka.committed(group, topics.jobs(), partition), "partition " + partition);
                }
                assertFalse(sickWatch.isAvailable());
                assertTrue(sick.problem().orElse("").contains("consumer group of " + topics.jobs()), sick.problem().toString());
                assertTrue(sickWatch.problem().orElse("").contains(good.bucket()), "readiness names the store's failure: "
                        + sickWatch.problem());

                // Its store works again: it joins, and takes a job of a partition the group gives it.
                AtomicBoolean storeWorks = new AtomicBoolean(true);
                sick.workOnlyWhile(storeWorks::get);
                Optional<Delivery> taken = Optional.empty();
                int next = 2 * PARTITIONS;
                start = System.nanoTime();
                while (taken.isEmpty() && System.nanoTime() - start < TestKafka.WAIT.toNanos()) {
                    TestKafka.produce(new ProducerRecord<>(topics.jobs(), next % PARTITIONS, TestKafka.utf8("job-" + next),
                            TestKafka.utf8("job-" + next)));
                    next++;
                    taken = sick.poll(Duration.ofSeconds(2));
                    healthy.poll(Duration.ofMillis(100)).ifPresent(Delivery::acknowledge);
                }
                assertTrue(taken.isPresent(), "the daemon took jobs again once its store worked");
                assertEquals(Optional.empty(), sick.problem());

                // Its store fails while it has a job: the job is withdrawn, and the healthy daemon gets it.
                String withdrawn = TestKafka.text(taken.get());
                storeWorks.set(false);
                start = System.nanoTime();
                while (!taken.get().isWithdrawn() && System.nanoTime() - start < TestKafka.WAIT.toNanos()) {
                    Thread.sleep(50);
                }
                assertTrue(taken.get().isWithdrawn(), "withdrawn when the daemon left the group");
                boolean redelivered = false;
                start = System.nanoTime();
                while (!redelivered && System.nanoTime() - start < TestKafka.WAIT.toNanos()) {
                    Optional<Delivery> delivery = healthy.poll(Duration.ofMillis(250));
                    if (delivery.isPresent()) {
                        redelivered = TestKafka.text(delivery.get()).equals(withdrawn);
                        delivery.get().acknowledge();
                    }
                }
                assertTrue(redelivered, withdrawn + " delivered again to the healthy daemon");
            }
        }
    }
}

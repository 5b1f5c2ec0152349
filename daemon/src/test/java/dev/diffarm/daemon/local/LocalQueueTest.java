package dev.diffarm.daemon.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.port.Delivery;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalQueueTest {
    @TempDir
    Path local;

    @Test
    void deliversInOrderOfSubmissionAndMovesSettledFiles() throws Exception {
        LocalQueue queue = new LocalQueue(local);
        queue.enqueue("first", "{\"n\": 1}", "local");
        queue.enqueue("second", "{\"n\": 2}", "local");
        assertEquals(OptionalLong.of(2), queue.backlog());

        Delivery first = queue.poll(Duration.ZERO).orElseThrow();
        assertArrayEquals("{\"n\": 1}".getBytes(StandardCharsets.UTF_8), first.payload());
        assertEquals(1, names(queue.processingDir()).size(), "a taken job waits in processing/");
        first.acknowledge();
        assertEquals(names(queue.doneDir()), List.of(first.origin().substring("queue/".length())));

        Delivery second = queue.poll(Duration.ZERO).orElseThrow();
        second.deadLetter("not-json: this is no job");
        String name = second.origin().substring("queue/".length());
        assertTrue(Files.isRegularFile(queue.deadLetterDir().resolve(name)));
        assertEquals("not-json: this is no job\n", Files.readString(queue.deadLetterDir().resolve(name + ".reason.txt")));
        assertTrue(queue.poll(Duration.ZERO).isEmpty());
        assertEquals(List.of(), names(queue.processingDir()));
    }

    @Test
    void jobsTakenAheadAreTheWorkersNextPollsAndSettledLikeAny() throws Exception {
        LocalQueue queue = new LocalQueue(local);
        for (String id : List.of("a1", "b1", "a2", "a3")) {
            queue.enqueue(id, "{\"id\": \"" + id + "\"}", "local");
        }
        Delivery lead = queue.poll(Duration.ZERO).orElseThrow();
        List<String> seen = new ArrayList<>();
        List<Delivery> taken = queue.takeWaiting(waiting -> {
            seen.add(text(waiting));
            assertThrows(IllegalStateException.class, waiting::acknowledge, "a waiting job is not the caller's");
            return text(waiting).contains("\"a");
        }, 2);
        assertEquals(List.of("{\"id\": \"b1\"}", "{\"id\": \"a2\"}", "{\"id\": \"a3\"}"), seen);
        assertEquals(List.of("{\"id\": \"a2\"}", "{\"id\": \"a3\"}"),
                taken.stream().map(LocalQueueTest::text).toList());
        assertEquals(3, names(queue.processingDir()).size(), "the lead and the two taken wait in processing/");

        lead.acknowledge();
        List<String> next = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            Delivery delivery = queue.poll(Duration.ZERO).orElseThrow();
            next.add(text(delivery));
            delivery.acknowledge();
        }
        assertEquals(List.of("{\"id\": \"a2\"}", "{\"id\": \"a3\"}", "{\"id\": \"b1\"}"), next,
                "the jobs taken ahead first, in order, then the oldest waiting");
        assertEquals(4, names(queue.doneDir()).size());
    }

    private static String text(Delivery delivery) {
        return new String(delivery.payload(), StandardCharsets.UTF_8);
    }

    @Test
    void anUnsettledJobIsDeliveredAgainByTheNextQueue() throws Exception {
        LocalQueue crashed = new LocalQueue(local);
        crashed.enqueue("job-1", "{}", "local");
        Delivery taken = crashed.poll(Duration.ZERO).orElseThrow();
        // The daemon dies here: no acknowledge.

        LocalQueue restarted = new LocalQueue(local);
        Delivery again = restarted.poll(Duration.ZERO).orElseThrow();
        assertEquals(taken.origin(), again.origin());
    }

    @Test
    void ignoresHiddenAndNonJsonFilesAndWaitsForArrivals() throws Exception {
        LocalQueue queue = new LocalQueue(local);
        Files.writeString(queue.queueDir().resolve(".partial.json"), "{");
        Files.writeString(queue.queueDir().resolve("notes.txt"), "hello");
        assertTrue(queue.poll(Duration.ofMillis(50)).isEmpty());

        Thread producer = new Thread(() -> queue.enqueue("late", "{}", "local"));
        producer.start();
        assertTrue(queue.poll(Duration.ofSeconds(30)).isPresent(), "a job enqueued while polling is delivered");
        producer.join();
    }

    @Test
    void aJobKeepsItsTenantAcrossARestartWaitingOrTaken() throws Exception {
        LocalQueue crashed = new LocalQueue(local);
        crashed.enqueue("taken", "{}", "acme");
        crashed.enqueue("waiting", "{}", "globex");
        crashed.enqueue("mine", "{}", "local");
        assertEquals(Optional.of("acme"), crashed.poll(Duration.ZERO).orElseThrow().tenant());
        Files.writeString(crashed.queueDir().resolve("dropped-by-hand.json"), "{}");
        // The daemon dies here, with "taken" in processing/.

        LocalQueue restarted = new LocalQueue(local);
        java.util.Map<String, Optional<String>> tenants = new java.util.TreeMap<>();
        for (Optional<Delivery> next = restarted.poll(Duration.ZERO); next.isPresent(); next = restarted.poll(Duration.ZERO)) {
            String name = next.get().origin();
            tenants.put(name.substring(name.lastIndexOf('-') + 1), next.get().tenant());
        }
        assertEquals(java.util.Map.of("taken@acme.json", Optional.of("acme"), "waiting@globex.json", Optional.of("globex"),
                "mine@local.json", Optional.of("local"), "hand.json", Optional.empty()), tenants,
                "each job with its tenant; a file without one names none");
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}

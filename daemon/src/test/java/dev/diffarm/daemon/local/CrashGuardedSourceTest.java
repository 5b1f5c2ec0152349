package dev.diffarm.daemon.local;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.port.Delivery;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 14: a job that kills the daemon was taken up again after each restart, and killed it again. */
class CrashGuardedSourceTest {
    @TempDir
    Path local;

    /** A daemon that starts over the same folder, as after a crash: unsettled jobs are back in line. */
    private CrashGuardedSource restart() {
        return new CrashGuardedSource(new LocalQueue(local), local);
    }

    @Test
    void aJobThatTookTheDaemonDownTwiceIsParkedWithTheReason() throws Exception {
        restart().enqueue("oom", "{\"kind\": \"render\"}", "local");
        Delivery first = restart().poll(Duration.ZERO).orElseThrow();
        // The process dies with the job in hand: neither settled nor closed.
        Delivery second = restart().poll(Duration.ZERO).orElseThrow();
        assertEquals(first.origin(), second.origin());

        CrashGuardedSource third = restart();
        assertTrue(third.poll(Duration.ZERO).isEmpty(), "the third delivery is not handed to the worker");
        String name = first.origin().substring("queue/".length());
        assertTrue(Files.isRegularFile(local.resolve("dlq").resolve(name)));
        assertEquals("the job took the daemon down 2 times: each of those attempts began and the process ended before "
                + "the job did (out of memory, killed); parked instead of running it again\n",
                Files.readString(local.resolve("dlq").resolve(name + ".reason.txt")));
        assertEquals(0, markers(), "the parked job's marker is gone");
    }

    @Test
    void settledJobsAndCleanShutdownsAreNoCrashes() throws Exception {
        CrashGuardedSource source = restart();
        source.enqueue("fine", "{}", "local");
        source.poll(Duration.ZERO).orElseThrow().acknowledge();
        assertEquals(0, markers());

        source.enqueue("long", "{}", "local");
        Delivery crashed = source.poll(Duration.ZERO).orElseThrow();
        assertEquals(1, markers());
        // Once killed, then three clean restarts with the job in hand: still one crash, the job keeps running.
        for (int i = 0; i < 3; i++) {
            CrashGuardedSource restarted = restart();
            assertEquals(crashed.origin(), restarted.poll(Duration.ZERO).orElseThrow().origin(), "restart " + i);
            restarted.close();
        }
        CrashGuardedSource last = restart();
        Delivery again = last.poll(Duration.ZERO).orElseThrow();
        again.acknowledge();
        assertEquals(0, markers());
        assertTrue(Files.isRegularFile(local.resolve("done").resolve(again.origin().substring("queue/".length()))));
    }

    private long markers() throws Exception {
        try (Stream<Path> files = Files.list(local.resolve("attempts"))) {
            return files.count();
        }
    }
}

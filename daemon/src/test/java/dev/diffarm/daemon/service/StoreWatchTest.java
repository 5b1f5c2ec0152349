package dev.diffarm.daemon.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.s3.S3OutputStore;
import dev.diffarm.daemon.services.LocalServices;
import dev.diffarm.farm.config.FarmSettings;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StoreWatchTest {
    @TempDir
    Path dir;

    @Test
    void aStoreThatCannotBeUsedIsReportedUntilItCanBe() throws Exception {
        Path blocker = Files.writeString(dir.resolve("outputs"), "a file where the folder should be");
        StoreWatch watch = new StoreWatch(new LocalOutputStore(blocker.resolve("jobs")), Duration.ofSeconds(5));
        assertFalse(watch.isAvailable(), "unknown before the first check");

        watch.check();
        assertFalse(watch.isAvailable());
        assertTrue(watch.problem().orElseThrow().startsWith("cannot create the output folder " + blocker.resolve("jobs")),
                watch.problem().orElseThrow());

        Files.delete(blocker);
        watch.check();
        assertTrue(watch.isAvailable());
        assertEquals(Optional.empty(), watch.problem());
        assertTrue(Files.isDirectory(blocker.resolve("jobs")), "the check created the folder");
    }

    @Test
    void anS3EndpointWithNothingListeningIsNotAvailable() throws Exception {
        FarmSettings.S3 server = LocalServices.get().settings(dir).s3().orElseThrow();
        int port;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = socket.getLocalPort();
        }
        URI nowhere = URI.create("http://127.0.0.1:" + port);
        try (S3OutputStore down = new S3OutputStore(new FarmSettings.S3(nowhere, server.accessKey(), server.secretKey(),
                server.bucket()));
             S3OutputStore up = new S3OutputStore(server)) {
            StoreWatch watchDown = new StoreWatch(down, Duration.ofSeconds(5));
            watchDown.check();
            assertFalse(watchDown.isAvailable());
            assertTrue(watchDown.problem().orElseThrow().startsWith("cannot check bucket " + server.bucket() + " at "
                    + nowhere + ": cannot connect"), watchDown.problem().orElseThrow());

            StoreWatch watchUp = new StoreWatch(up, Duration.ofSeconds(5));
            watchUp.check();
            assertEquals(Optional.empty(), watchUp.problem());
        }
    }
}

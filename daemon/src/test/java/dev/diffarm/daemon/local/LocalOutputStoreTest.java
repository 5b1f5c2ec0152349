package dev.diffarm.daemon.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.StoreException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.SequenceInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalOutputStoreTest {
    @TempDir
    Path root;

    @Test
    void storesObjectsAsFilesAtTheirKeys() throws Exception {
        LocalOutputStore store = new LocalOutputStore(root);
        assertFalse(store.exists("jobs/a/t0000.png"));
        assertTrue(store.get("jobs/a/t0000.png").isEmpty());

        store.put("jobs/a/t0000.png", new byte[] {1, 2, 3}, "image/png");
        store.put("jobs/a/t0000.json", new byte[] {4}, "application/json");
        store.put("jobs/ab/t0000.png", new byte[] {5}, "image/png");
        store.put("jobs/a/t0000.png", new byte[] {6}, "image/png");

        assertTrue(store.exists("jobs/a/t0000.png"));
        assertArrayEquals(new byte[] {6}, store.get("jobs/a/t0000.png").orElseThrow());
        assertArrayEquals(new byte[] {6}, Files.readAllBytes(root.resolve("jobs/a/t0000.png")));
        assertEquals(List.of("jobs/a/t0000.json", "jobs/a/t0000.png"), store.list("jobs/a/"));
        assertEquals(List.of("jobs/a/t0000.json", "jobs/a/t0000.png", "jobs/ab/t0000.png"), store.list("jobs/a"));
        assertEquals(List.of(), store.list("jobs/zzz/"));
    }

    @Test
    void streamsObjectsInAndOutAndFilesBothWays() throws Exception {
        LocalOutputStore store = new LocalOutputStore(root);
        byte[] content = randomBytes(3 * (1 << 20) + 17, 1);
        store.put("models/big.safetensors", new ByteArrayInputStream(content), content.length,
                ObjectMetadata.of("application/octet-stream"));
        try (InputStream read = store.open("models/big.safetensors").orElseThrow()) {
            assertArrayEquals(content, read.readAllBytes());
        }
        assertTrue(store.open("models/absent.safetensors").isEmpty());

        Path file = Files.write(root.resolveSibling(root.getFileName() + "-file.bin"), randomBytes(70_000, 2));
        store.put("models/from-file.bin", file, ObjectMetadata.of("application/octet-stream"));
        Path copy = root.resolveSibling(root.getFileName() + "-copy.bin");
        assertTrue(store.download("models/from-file.bin", copy));
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy));
        assertFalse(store.download("models/absent.bin", copy), "no object: the file stays");
        assertArrayEquals(Files.readAllBytes(file), Files.readAllBytes(copy));

        byte[] longer = randomBytes(100, 3);
        store.put("jobs/a/prefix.bin", new ByteArrayInputStream(longer), 40, ObjectMetadata.of("application/octet-stream"));
        assertArrayEquals(Arrays.copyOf(longer, 40), store.get("jobs/a/prefix.bin").orElseThrow(), "the first 40 bytes");
    }

    @Test
    void aPutThatFailsHalfwayLeavesTheOldObjectAndNoPartialFile() throws Exception {
        LocalOutputStore store = new LocalOutputStore(root);
        store.put("models/m.safetensors", new byte[] {7, 7}, "application/octet-stream");
        int length = 5 * (1 << 20);
        InputStream failing = new SequenceInputStream(new ByteArrayInputStream(randomBytes(2 * (1 << 20), 4)),
                new InputStream() {
                    @Override
                    public int read() throws IOException {
                        throw new IOException("disk of the source gone");
                    }
                });
        StoreException failed = assertThrows(StoreException.class, () -> store.put("models/m.safetensors", failing,
                length, ObjectMetadata.of("application/octet-stream")));
        assertEquals("cannot write models/m.safetensors to " + root + ": java.io.IOException: disk of the source gone",
                failed.getMessage());

        StoreException shortContent = assertThrows(StoreException.class, () -> store.put("models/n.safetensors",
                new ByteArrayInputStream(new byte[10]), 11, ObjectMetadata.of("application/octet-stream")));
        assertEquals("cannot write models/n.safetensors to " + root
                + ": java.io.EOFException: the content ended after 10 of its 11 bytes", shortContent.getMessage());

        assertArrayEquals(new byte[] {7, 7}, store.get("models/m.safetensors").orElseThrow(), "the old object stays");
        assertFalse(store.exists("models/n.safetensors"));
        try (Stream<Path> files = Files.list(root.resolve("models"))) {
            assertEquals(List.of("m.safetensors"), files.map(file -> file.getFileName().toString()).toList(),
                    "no hidden part of either put is left");
        }
    }

    private static byte[] randomBytes(int length, long seed) {
        byte[] bytes = new byte[length];
        new Random(seed).nextBytes(bytes);
        return bytes;
    }

    @Test
    void refusesKeysOutsideTheRoot() {
        LocalOutputStore store = new LocalOutputStore(root);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.put("../escape.png", new byte[0], "image/png"));
        assertEquals("object key \"../escape.png\": expected a relative path inside the store", e.getMessage());
    }
}

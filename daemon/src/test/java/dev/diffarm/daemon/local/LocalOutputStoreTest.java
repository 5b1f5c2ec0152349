package dev.diffarm.daemon.local;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void refusesKeysOutsideTheRoot() {
        LocalOutputStore store = new LocalOutputStore(root);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> store.put("../escape.png", new byte[0], "image/png"));
        assertEquals("object key \"../escape.png\": expected a relative path inside the store", e.getMessage());
    }
}

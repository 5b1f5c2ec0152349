package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.OutputStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stored dataset comes down as kohya's layout (repeat folders as key segments), from the tenant's part of the store
 * only, and the limits on one object, all of them and their count refuse it naming {@code dataset} and the key.
 */
class StoredDatasetTest {
    private static final String DATASET = "store:datasets/faces/";
    private static final StoredDataset.Limits SMALL = new StoredDataset.Limits(3, 10, 15);

    @TempDir
    Path dir;

    @Test
    void theObjectsUnderThePrefixComeDownAsFilesWithRepeatFoldersAsTheyAre() throws IOException {
        OutputStore store = store("store", "datasets/faces/10_zwx person/a.png", "png-a",
                "datasets/faces/10_zwx person/a.txt", "zwx", "datasets/faces/b.JPG", "jpg-b",
                "datasets/faces-other/c.png", "other");
        Path target = dir.resolve("work/faces");

        int files = new StoredDataset(store, SMALL).download(DATASET, "datasets/faces/", target);

        assertEquals(3, files, "the prefix's objects only, not those of datasets/faces-other/");
        assertEquals(List.of("10_zwx person/a.png", "10_zwx person/a.txt", "b.JPG"), filesIn(target));
        assertArrayEquals(bytes("zwx"), Files.readAllBytes(target.resolve("10_zwx person/a.txt")));
    }

    @Test
    void aTenantsJobReadsItsOwnPartOfTheStoreOnly() throws IOException {
        OutputStore root = store("store", "tenants/acme/datasets/faces/a.png", "acme",
                "tenants/other/datasets/faces/b.png", "other", "datasets/faces/c.png", "local");
        Path target = dir.resolve("work/faces");

        new StoredDataset(TenantOutputs.scoped(root, TenantOutputs.prefix("acme")), SMALL)
                .download(DATASET, "datasets/faces/", target);

        assertEquals(List.of("a.png"), filesIn(target));
        assertArrayEquals(bytes("acme"), Files.readAllBytes(target.resolve("a.png")));
    }

    @Test
    void anObjectTooLargeTooManyObjectsOrTooManyBytesInAllAreRefusedNamingDatasetAndTheKey() throws IOException {
        OutputStore big = store("big", "datasets/faces/a.png", "0123456789X");
        Path written = assertRefused(big, "objects of at most 10 bytes; datasets/faces/a.png has more").resolve("a.png");
        assertTrue(!Files.exists(written) || Files.size(written) <= 10, "no more than the limit was written");

        OutputStore many = store("many", "datasets/faces/a.png", "1", "datasets/faces/b.png", "2",
                "datasets/faces/c.png", "3", "datasets/faces/d.png", "4");
        assertRefused(many, "at most 3 objects; datasets/faces/ holds 4");

        OutputStore total = store("total", "datasets/faces/a.png", "0123456789", "datasets/faces/b.png", "012345");
        assertRefused(total, "at most 15 bytes in all; the objects up to datasets/faces/b.png have more");
    }

    /** Asserts that downloading from {@code store} fails as {@code expected}; returns the folder it downloaded into. */
    private Path assertRefused(OutputStore store, String expected) {
        Path target = dir.resolve("work").resolve(Path.of(store.location()).getFileName());
        TaskFailure failure = assertThrows(TaskFailure.class, () -> new StoredDataset(store, SMALL)
                .download(DATASET, "datasets/faces/", target));
        assertEquals(Optional.of("dataset"), failure.error().field());
        assertTrue(failure.error().message().startsWith("dataset = \"" + DATASET + "\": expected ")
                && failure.error().message().endsWith(expected), failure.error().message());
        System.out.println("refused: " + failure.error().message());
        return target;
    }

    /** A store named {@code name} holding the objects {@code keysAndContents} (key, content, key, content, ...). */
    private OutputStore store(String name, String... keysAndContents) {
        OutputStore store = new LocalOutputStore(dir.resolve(name));
        for (int i = 0; i < keysAndContents.length; i += 2) {
            store.put(keysAndContents[i], bytes(keysAndContents[i + 1]), "image/png");
        }
        return store;
    }

    private static List<String> filesIn(Path folder) throws IOException {
        try (Stream<Path> files = Files.walk(folder)) {
            return files.filter(Files::isRegularFile).map(f -> folder.relativize(f).toString().replace('\\', '/'))
                    .sorted().toList();
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}

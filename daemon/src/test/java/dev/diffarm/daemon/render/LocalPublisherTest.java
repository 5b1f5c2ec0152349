package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.OutputStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the publisher uploads and what it leaves alone, on a store that keeps no metadata (a local folder store: the
 * digests go to {@code <key>.sha256} objects), with items an S3 client put there without a digest.
 */
class LocalPublisherTest {
    private static final byte[] OURS = "this node's weights".getBytes(StandardCharsets.UTF_8);
    private static final byte[] THEIRS = "another node's weights".getBytes(StandardCharsets.UTF_8);

    @TempDir
    Path dir;
    private OutputStore store;
    private Path models;
    private Path loras;
    private Path upscalers;
    private LocalPublisher publisher;

    @BeforeEach
    void node() throws IOException {
        store = new LocalOutputStore(dir.resolve("store"));
        models = Files.createDirectories(dir.resolve("node/models"));
        loras = Files.createDirectories(dir.resolve("node/loras"));
        upscalers = Files.createDirectories(dir.resolve("node/upscalers"));
        publisher = new LocalPublisher(store, List.of(PublishedFolder.models(models), PublishedFolder.loras(loras),
                PublishedFolder.upscalers(upscalers)), () -> true, Duration.ofMillis(50));
    }

    @Test
    void uploadsWhatTheStoreLacksWithItsDigestAndNothingTwice() throws IOException {
        Files.write(loras.resolve("mine.safetensors"), OURS);
        Files.write(upscalers.resolve("4x-test.pth"), THEIRS);
        Files.write(loras.resolve("notes.txt"), OURS);
        Files.write(loras.resolve(".hidden.safetensors"), OURS);

        assertEquals(List.of("loras/mine.safetensors", "upscalers/4x-test.pth"), publisher.publishAll());
        assertArrayEquals(OURS, store.get("loras/mine.safetensors").orElseThrow());
        assertEquals(sha256(OURS) + "\n", text("loras/mine.safetensors.sha256"));
        assertEquals(sha256(THEIRS) + "\n", text("upscalers/4x-test.pth.sha256"));
        assertEquals(List.of("loras/mine.safetensors", "loras/mine.safetensors.sha256"), store.list("loras/"),
                "neither the other file nor the hidden one");
        assertEquals(List.of(), publisher.publishAll());
    }

    @Test
    void aNameTheStoreHoldsWithOtherContentIsAConflictAndNeverOverwritten() throws IOException {
        // As s3cmd sync puts them: no digest anywhere.
        store.put("loras/style.safetensors", THEIRS, "application/octet-stream");
        store.put("loras/same.safetensors", OURS, "application/octet-stream");
        Files.write(loras.resolve("style.safetensors"), OURS);
        Files.write(loras.resolve("same.safetensors"), OURS);

        assertEquals(List.of(), publisher.publishAll());
        assertArrayEquals(THEIRS, store.get("loras/style.safetensors").orElseThrow(), "not overwritten");
        assertEquals(sha256(THEIRS) + "\n", text("loras/style.safetensors.sha256"), "the store's digest, computed once");
        assertEquals(sha256(OURS) + "\n", text("loras/same.safetensors.sha256"));
        List<LocalPublisher.Conflict> conflicts = publisher.conflicts();
        System.out.println("conflicts: " + conflicts);
        assertEquals(List.of("loras/style.safetensors"), conflicts.stream().map(LocalPublisher.Conflict::key).toList());
        assertEquals("this node's SHA-256 is " + sha256(OURS) + ", the store's " + sha256(THEIRS),
                conflicts.get(0).reason());

        Files.delete(loras.resolve("style.safetensors"));
        publisher.publishAll();
        assertEquals(List.of(), publisher.conflicts(), "gone with the node's item");
    }

    @Test
    void aDiffusersFolderGoesUpIndexLastAndOneThatDiffersIsAConflict() throws IOException {
        Path tiny = Files.createDirectories(models.resolve("tiny/unet"));
        Files.write(tiny.resolve("weights.bin"), OURS);
        Files.writeString(models.resolve("tiny/model_index.json"), "{}");
        Files.createDirectories(models.resolve("other/unet"));
        Files.write(models.resolve("other/unet/weights.bin"), OURS);
        Files.writeString(models.resolve("other/model_index.json"), "{}");
        store.put("models/other/unet/weights.bin", THEIRS, "application/octet-stream");
        store.put("models/other/model_index.json", "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        Files.write(models.resolve("single.safetensors"), OURS);
        store.put("models/single/model_index.json", "{}".getBytes(StandardCharsets.UTF_8), "application/json");

        assertEquals(List.of("models/tiny/"), publisher.publishAll());
        assertEquals(List.of("models/tiny/model_index.json", "models/tiny/model_index.json.sha256",
                "models/tiny/unet/weights.bin", "models/tiny/unet/weights.bin.sha256"), store.list("models/tiny/"));
        assertTrue(new StoreBackedCatalog(store, dir.resolve("b/models"), dir.resolve("b/loras"), dir.resolve("b/emb"))
                .names(StoreBackedCatalog.Kind.MODEL).contains("tiny"));
        List<LocalPublisher.Conflict> conflicts = publisher.conflicts();
        System.out.println("conflicts: " + conflicts);
        assertEquals(List.of("models/other/", "models/single.safetensors"),
                conflicts.stream().map(LocalPublisher.Conflict::key).toList());
        assertEquals("unet/weights.bin: this node's SHA-256 is " + sha256(OURS) + ", the store's " + sha256(THEIRS),
                conflicts.get(0).reason());
        assertFalse(store.exists("models/single.safetensors"), "a name the store holds in the other form is taken");
    }

    @Test
    void whatTheNodeFetchedIsNotPublishedAgain() throws IOException {
        store.put("loras/fetched.safetensors", THEIRS, "application/octet-stream");
        StoreBackedCatalog catalog = new StoreBackedCatalog(store, models, loras, dir.resolve("node/embeddings"));
        assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "fetched"));
        store.put("loras/fetched.safetensors", OURS, "application/octet-stream");

        assertEquals(List.of(), publisher.publishAll());
        assertEquals(List.of(), publisher.conflicts(), "the fetched copy is the store's, not a conflict of the node's");
    }

    @Test
    void startedItPublishesAnItemAddedLaterAndWaitsWhileTheStoreFails() throws Exception {
        AtomicBoolean storeWorks = new AtomicBoolean(false);
        try (LocalPublisher watching = new LocalPublisher(store, List.of(PublishedFolder.loras(loras)), storeWorks::get,
                Duration.ofMillis(50))) {
            watching.start();
            Files.write(loras.resolve("later.safetensors"), OURS);
            Thread.sleep(300);
            assertFalse(store.exists("loras/later.safetensors"), "nothing while the store fails");
            storeWorks.set(true);
            long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
            while (!store.exists("loras/later.safetensors.sha256") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertArrayEquals(OURS, store.get("loras/later.safetensors").orElseThrow());
            Files.write(loras.resolve("latest.safetensors"), THEIRS);
            while (!store.exists("loras/latest.safetensors.sha256") && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals(Optional.of(THEIRS.length), store.get("loras/latest.safetensors").map(bytes -> bytes.length),
                    "a listing change is noticed");
        }
    }

    private String text(String key) {
        return new String(store.get(key).orElseThrow(() -> new AssertionError(key + " missing; " + store.list(""))),
                StandardCharsets.UTF_8);
    }

    private static String sha256(byte[] bytes) {
        return HexFormat.of().formatHex(StoredDigests.sha256().digest(bytes));
    }
}

package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node's bounded cache of store items ({@code DIFFARM_CACHE_MAX_BYTES}): the least recently used fetched item that
 * is not in use makes room, what a person put in the folders is never touched, and every fetched object is verified
 * against the SHA-256 the store records (the farm records a missing one).
 */
class BoundedStoreCacheTest {
    /** Each test LoRA's size: three of them do not fit the bound, two do. */
    private static final int ITEM = 1000;
    private static final long BOUND = 2500;

    @TempDir
    Path dir;
    private OutputStore store;
    private Path loras;
    private final SteppingClock clock = new SteppingClock();
    private StoreBackedCatalog catalog;

    @BeforeEach
    void storeWithFourLoras() {
        store = new LocalOutputStore(dir.resolve("store"));
        loras = dir.resolve("node/loras");
        catalog = new StoreBackedCatalog(store, dir.resolve("node/models"), loras, dir.resolve("node/embeddings"), BOUND,
                clock);
        for (String name : List.of("a", "b", "c", "d")) {
            store.put(StoreBackedCatalog.Kind.LORA.key(name), content(name), "application/octet-stream");
        }
    }

    @Test
    void theLeastRecentlyUsedItemMakesRoomAndANodesOwnFileIsNeverTouched() throws IOException {
        Files.createDirectories(loras);
        Files.write(loras.resolve("own.safetensors"), new byte[5 * ITEM]);
        assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "a"));
        assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "b"));
        assertFalse(catalog.fetch(StoreBackedCatalog.Kind.LORA, "a"), "cached already: a use, no download");
        assertEquals(2 * ITEM, catalog.cachedBytes(), "the node's own file counts toward nothing");

        assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "c"));
        assertEquals(List.of("a.safetensors", "c.safetensors", "own.safetensors"), files(loras),
                "b, used longest ago, made room; a was used after it");
        assertEquals(2 * ITEM, catalog.cachedBytes());

        assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "d"));
        assertEquals(List.of("c.safetensors", "d.safetensors", "own.safetensors"), files(loras));
        assertArrayEquals(content("d"), Files.readAllBytes(loras.resolve("d.safetensors")));
    }

    @Test
    void anItemInUseIsNeverEvicted() throws IOException {
        assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "a"));
        try (StoreBackedCatalog.InUse inUse = catalog.use(StoreBackedCatalog.Kind.LORA, "a")) {
            assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "b"));
            assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "c"));
            assertEquals(List.of("a.safetensors", "c.safetensors"), files(loras), "a is oldest but in use: b made room");
            assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "b"));
            assertEquals(List.of("a.safetensors", "b.safetensors"), files(loras), "again not a");
        }
        assertFalse(catalog.fetch(StoreBackedCatalog.Kind.LORA, "b"), "a use of b after a was let go");
        assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "d"));
        assertEquals(List.of("b.safetensors", "d.safetensors"), files(loras), "let go, a is evicted like any other");
    }

    @Test
    void aDownloadThatDoesNotMatchTheRecordedSha256IsRefusedNamingTheItemAndBothHashes() throws IOException {
        String key = StoreBackedCatalog.Kind.LORA.key("a");
        assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "a"));
        String recorded = sha256(content("a"));
        assertArrayEquals((recorded + "\n").getBytes(StandardCharsets.UTF_8),
                store.get(key + StoreBackedCatalog.SHA256_SUFFIX).orElseThrow(),
                "the store recorded none: the farm computed it and recorded it beside the object");

        // The object is damaged in the store after its hash was recorded; another node fetches it.
        byte[] damaged = content("a");
        damaged[17] ^= 1;
        store.put(key, damaged, "application/octet-stream");
        Path otherLoras = dir.resolve("other/loras");
        StoreBackedCatalog otherNode = new StoreBackedCatalog(store, dir.resolve("other/models"), otherLoras,
                dir.resolve("other/embeddings"), BOUND, clock);
        StoreException refused = assertThrows(StoreException.class,
                () -> otherNode.fetch(StoreBackedCatalog.Kind.LORA, "a"));
        assertEquals("lora a: the download of loras/a.safetensors from " + store.location() + " has SHA-256 "
                + sha256(damaged) + ", but the store records " + recorded + "; the download was refused and deleted",
                refused.getMessage());
        assertEquals(List.of(), filesWithHidden(otherLoras), "no file, no partial download left");
    }

    @Test
    void aDiffusersFolderIsVerifiedFileByFileAndCountedWhole() throws IOException {
        store.put("models/folder/model_index.json", "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        store.put("models/folder/unet/weights.bin", new byte[ITEM], "application/octet-stream");
        assertTrue(catalog.fetch(StoreBackedCatalog.Kind.MODEL, "folder"));
        Path models = dir.resolve("node/models");
        assertTrue(Files.isRegularFile(models.resolve("folder/unet/weights.bin")));
        assertEquals(ITEM + 2, catalog.cachedBytes());
        assertTrue(store.exists("models/folder/unet/weights.bin" + StoreBackedCatalog.SHA256_SUFFIX), "recorded");
        assertEquals(List.of("folder"), files(models), "the recorded hashes are not fetched as model files");
        assertEquals(List.of(), files(models.resolve("folder")).stream().filter(name -> name.endsWith(".sha256")).toList());
    }

    @Test
    void controlNetsAndUpscalerModelsShareTheOneBoundWithTheLoras() throws IOException {
        Path controlNets = dir.resolve("node/controlnet");
        Path upscalers = dir.resolve("node/upscalers");
        StoreBackedCatalog everyKind = new StoreBackedCatalog(store, StoreBackedCatalog.Folders.of(dir.resolve("node/models"),
                loras, dir.resolve("node/embeddings"), controlNets, upscalers), BOUND, clock);
        store.put("controlnet/canny/config.json", "{}".getBytes(StandardCharsets.UTF_8), "application/json");
        store.put("controlnet/canny/diffusion_pytorch_model.safetensors", new byte[ITEM - 2], "application/octet-stream");
        store.put("upscalers/4x-sharp.pth", content("u"), "application/octet-stream");

        assertTrue(everyKind.fetch(StoreBackedCatalog.Kind.LORA, "a"));
        assertTrue(everyKind.fetch(StoreBackedCatalog.Kind.CONTROLNET, "canny"));
        assertEquals(2 * ITEM, everyKind.cachedBytes(), "the ControlNet folder counted whole");
        assertTrue(everyKind.fetch(StoreBackedCatalog.Kind.UPSCALER, "4x-sharp"));
        assertEquals(List.of(), files(loras), "the LoRA, used longest ago, made room for the upscaler");
        assertEquals(List.of("canny"), files(controlNets));
        assertEquals(List.of("4x-sharp.pth"), files(upscalers));
        assertEquals(2 * ITEM, everyKind.cachedBytes());
    }

    private static byte[] content(String name) {
        byte[] bytes = new byte[ITEM];
        for (int i = 0; i < ITEM; i++) {
            bytes[i] = (byte) (name.charAt(0) * 31 + i);
        }
        return bytes;
    }

    private static List<String> files(Path folder) throws IOException {
        return filesWithHidden(folder).stream().filter(name -> !name.startsWith(".")).toList();
    }

    private static List<String> filesWithHidden(Path folder) throws IOException {
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A clock one second further on each time it is read: every use is later than the one before. */
    private static final class SteppingClock extends Clock {
        private Instant now = Instant.parse("2026-12-06T00:00:00Z");

        @Override
        public synchronized Instant instant() {
            now = now.plusSeconds(1);
            return now;
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}

package dev.diffarm.daemon.s3;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.EngineRenderer;
import dev.diffarm.daemon.render.InputPictures;
import dev.diffarm.daemon.render.LocalPublisher;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.PublishedFolder;
import dev.diffarm.daemon.render.StoreBackedCatalog;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.PngReader;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two nodes on a bucket of the real S3 server: node A has the tiny model and a LoRA in its own folders only; once its
 * publisher has run, node B (empty folders) accepts, fetches and renders a job naming both, and rejects nothing.
 */
class PublishedModelsTest {
    private static final Path LORA_A = TinyModel.source().getParent().resolve("lora-a.safetensors");

    @TempDir
    Path dir;
    private S3OutputStore store;

    @BeforeEach
    void bucket() {
        store = FreshBucket.open(dir, "publish");
    }

    @AfterEach
    void close() {
        store.close();
    }

    @Test
    void aModelOnlyInNodeAsFolderRendersOnNodeB() throws Exception {
        Path modelsA = TinyModel.modelsDir(dir.resolve("a/models"));
        Path lorasA = Files.createDirectories(dir.resolve("a/loras"));
        Files.copy(LORA_A, lorasA.resolve("lora-a.safetensors"));
        LocalPublisher publisherA = publisher(modelsA, lorasA, dir.resolve("a"));

        assertEquals(List.of("models/tiny/", "loras/lora-a.safetensors"), publisherA.publishAll());
        try (Stream<Path> files = Files.walk(TinyModel.source())) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                String key = "models/tiny/" + TinyModel.source().relativize(file).toString().replace('\\', '/');
                assertEquals(Optional.of(sha256(file)), store.recordedSha256(key), key + " with its SHA-256");
            }
        }
        assertEquals(Optional.of(sha256(LORA_A)), store.recordedSha256("loras/lora-a.safetensors"));
        assertEquals(List.of(), publisherA.publishAll(), "nothing again");
        assertEquals(List.of(), publisherA.conflicts());

        Path modelsB = Files.createDirectories(dir.resolve("b/models"));
        Path lorasB = dir.resolve("b/loras");
        StoreBackedCatalog catalogB = new StoreBackedCatalog(store, modelsB, lorasB, dir.resolve("b/embeddings"));
        try (ModelCache cacheB = new ModelCache(new ModelDirectory(modelsB), TokenizerLocator.fromEnvironment(),
                Optional.of(catalogB))) {
            EngineRenderer engine = new EngineRenderer(cacheB, TestPlugins.samplers(), new LoraDirectory(lorasB),
                    new EmbeddingDirectory(dir.resolve("b/embeddings")), InputPictures.inlineOnly(), Optional.of(catalogB));
            LocalFarm nodeB = new LocalFarm(dir.resolve("b/local"), modelsB, lorasB, engine, store, catalogB);
            nodeB.drop("job.json", TinyModel.renderJob("elsewhere", "[\"a cat <lora:lora-a:0.8>\"]", "[1]", 2));
            nodeB.runUntilIdle();

            System.out.println("node B's events: " + nodeB.events.milestones("elsewhere"));
            assertEquals(List.of("accepted", "task-completed", "completed"),
                    nodeB.events.milestones("elsewhere"), "accepted and rendered, not rejected");
            Path png = Files.write(dir.resolve("t0000.png"), nodeB.object("jobs/elsewhere/t0000.png"));
            String parameters = PngReader.readParameters(png).orElseThrow();
            assertTrue(parameters.contains("Model: tiny") && parameters.contains("Lora hashes: \"lora-a: "), parameters);
        }
        assertTrue(Files.isRegularFile(modelsB.resolve("tiny/model_index.json")), "fetched into node B's folder");
        assertEquals(List.of(), publisher(modelsB, lorasB, dir.resolve("b")).publishAll(),
                "what node B fetched is the store's already");
    }

    private LocalPublisher publisher(Path models, Path loras, Path node) {
        return new LocalPublisher(store, List.of(PublishedFolder.models(models), PublishedFolder.loras(loras),
                PublishedFolder.embeddings(node.resolve("embeddings")), PublishedFolder.upscalers(node.resolve("upscalers"))),
                () -> true, Duration.ofSeconds(10));
    }

    static String sha256(Path file) throws Exception {
        MessageDigest digest = MessageDigest.getInstance("SHA-256");
        try (InputStream content = new DigestInputStream(Files.newInputStream(file), digest)) {
            content.transferTo(java.io.OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        return HexFormat.of().formatHex(digest.digest());
    }
}

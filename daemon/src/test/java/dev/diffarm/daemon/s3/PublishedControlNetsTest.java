package dev.diffarm.daemon.s3;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.ControlNetCatalog;
import dev.diffarm.daemon.render.ControlNetDirectory;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.EngineRenderer;
import dev.diffarm.daemon.render.FarmCatalog;
import dev.diffarm.daemon.render.InputPictures;
import dev.diffarm.daemon.render.LocalPublisher;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.ModeCatalogs;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.PublishedFolder;
import dev.diffarm.daemon.render.StoreBackedCatalog;
import dev.diffarm.daemon.render.UpscalerCatalog;
import dev.diffarm.daemon.render.UpscalerDirectory;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.Catalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * ControlNets and upscaler models from the farm's store, on a bucket of the real S3 server: node A has the tiny
 * ControlNet (a diffusers folder) in its own ControlNet folder and publishes it; the tiny ESRGAN is only put in the
 * store by an S3 client (no SHA-256 with it). Node B, whose ControlNet and upscaler folders are empty, accepts a render
 * job with a ControlNet unit and an upscale job naming them, fetches both, and stores the PNGs node A stores from its
 * own folders, byte for byte.
 */
class PublishedControlNetsTest {
    private static final Path FIXTURES = TinyModel.source().getParent();
    private static final Path ESRGAN_X4 = FIXTURES.resolve("esrgan-x4-basicsr.pth");
    private static final String CONTROLNET = "tiny-control";
    private static final String ESRGAN = "esrgan-x4";

    @TempDir
    Path dir;
    private S3OutputStore store;
    private final List<ModelCache> caches = new java.util.ArrayList<>();

    @BeforeEach
    void bucket() {
        store = FreshBucket.open(dir, "controlnets");
    }

    @AfterEach
    void close() {
        caches.forEach(ModelCache::close);
        store.close();
    }

    @Test
    void aControlNetOnlyOnNodeAAndAnEsrganOnlyInTheStoreRenderOnNodeBAsOnNodeA() throws Exception {
        Path a = dir.resolve("a");
        TinyModel.controlNetsDir(a.resolve("controlnet"), CONTROLNET);
        Files.createDirectories(LocalFarm.upscalers(a.resolve("local")));
        Files.copy(ESRGAN_X4, LocalFarm.upscalers(a.resolve("local")).resolve(ESRGAN + ".pth"));
        LocalPublisher publisherA = new LocalPublisher(store, List.of(PublishedFolder.controlNets(a.resolve("controlnet"))),
                () -> true, Duration.ofSeconds(10));
        assertEquals(List.of("controlnet/" + CONTROLNET + "/"), publisherA.publishAll());
        for (String file : List.of("config.json", "diffusion_pytorch_model.safetensors")) {
            assertEquals(Optional.of(PublishedModelsTest.sha256(FIXTURES.resolve("controlnet").resolve(file))),
                    store.recordedSha256("controlnet/" + CONTROLNET + "/" + file), file + " with its SHA-256");
        }
        store.put("upscalers/" + ESRGAN + ".pth", ESRGAN_X4, ObjectMetadata.of("application/octet-stream"));

        Path b = dir.resolve("b");
        StoreBackedCatalog catalogB = new StoreBackedCatalog(store, StoreBackedCatalog.Folders.of(
                TinyModel.modelsDir(b.resolve("models")), b.resolve("loras"), b.resolve("embeddings"),
                b.resolve("controlnet"), LocalFarm.upscalers(b.resolve("local"))), StoreBackedCatalog.DEFAULT_MAX_BYTES,
                Clock.systemUTC());
        FarmCatalog intakeB = new FarmCatalog(new ModelDirectory(b.resolve("models")), TestPlugins.samplers(),
                new LoraDirectory(b.resolve("loras")), Optional.of(catalogB), Optional.of(upscalers(b, catalogB)),
                Optional.of(controlNets(b, catalogB)));
        assertTrue(intakeB.knows(Catalog.Kind.CONTROLNET, CONTROLNET), "node B's intake knows the store's ControlNet");
        assertTrue(intakeB.knows(Catalog.Kind.UPSCALER, ESRGAN), "and the store's upscaler");
        assertFalse(intakeB.knows(Catalog.Kind.CONTROLNET, "control_pose"));
        assertEquals(List.of(CONTROLNET), intakeB.names(Catalog.Kind.CONTROLNET));

        Path control = picture(dir.resolve("control.png"), 32, 32);
        Path small = picture(dir.resolve("small.png"), 20, 24);
        String renderJob = """
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "cn", "model": "tiny", "prompts": ["a red sneaker"],
                 "seeds": [11], "steps": 4, "cfg": 6.0, "sampler": "Euler a", "width": 32, "height": 32,
                 "controlnets": [{"model": "%s", "image": "%s", "module": "canny", "weight": 0.8, "guidanceEnd": 0.75}]}
                """.formatted(CONTROLNET, dataUri(control));
        String upscaleJob = """
                {"apiVersion": "diffarm/v1", "kind": "upscale", "id": "up", "upscaler": "%s", "images": ["%s"],
                 "tile": 12, "tileOverlap": 4}
                """.formatted(ESRGAN, dataUri(small));

        LocalFarm nodeA = node(a, new LocalOutputStore(a.resolve("local/outputs")), Optional.empty());
        LocalFarm nodeB = node(b, store, Optional.of(catalogB));
        for (LocalFarm node : List.of(nodeA, nodeB)) {
            node.drop("cn.json", renderJob);
            node.drop("up.json", upscaleJob);
            node.runUntilIdle();
            for (String id : List.of("cn", "up")) {
                assertEquals(List.of("accepted", "task-completed", "completed"), node.events.milestones(id),
                        () -> node.events.of(id).toString());
            }
        }

        for (String key : List.of("jobs/cn/t0000.png", "jobs/up/t0000.png")) {
            byte[] onA = nodeA.object(key);
            byte[] onB = nodeB.object(key);
            Path png = Files.write(dir.resolve(key.replace('/', '-')), onB);
            System.out.printf("%s: node A %d bytes, node B %d bytes; node B's parameters: %s%n", key, onA.length,
                    onB.length, PngReader.readParameters(png).orElseThrow().replace('\n', ' '));
            assertArrayEquals(onA, onB, key + ": node B's PNG is node A's, byte for byte");
        }
        assertTrue(PngReader.readParameters(dir.resolve("jobs-cn-t0000.png")).orElseThrow()
                .contains("ControlNet 0: \"Module: canny, Model: " + CONTROLNET + " ["));
        assertEquals(80, PngReader.readImage(dir.resolve("jobs-up-t0000.png")).width(), "upscaled x4");

        assertTrue(Files.isRegularFile(b.resolve("controlnet").resolve(CONTROLNET).resolve("config.json")),
                "the ControlNet fetched into node B's folder");
        assertArrayEquals(Files.readAllBytes(ESRGAN_X4),
                Files.readAllBytes(LocalFarm.upscalers(b.resolve("local")).resolve(ESRGAN + ".pth")));
        assertEquals(Optional.of(PublishedModelsTest.sha256(ESRGAN_X4)),
                store.get("upscalers/" + ESRGAN + ".pth.sha256").map(bytes -> new String(bytes).strip()),
                "the SHA-256 the store lacked, computed by node B and recorded");
        assertEquals(List.of(), new LocalPublisher(store, List.of(PublishedFolder.controlNets(b.resolve("controlnet")),
                PublishedFolder.upscalers(LocalFarm.upscalers(b.resolve("local")))), () -> true, Duration.ofSeconds(10))
                .publishAll(), "what node B fetched is the store's already");
    }

    /**
     * A node over {@code root} (the tiny model in its models folder; ControlNets in {@code root/controlnet}, upscaler
     * models in its local folder's) storing in {@code store}, with the farm's store catalog where given.
     */
    private LocalFarm node(Path root, OutputStore store, Optional<StoreBackedCatalog> farmWide) {
        Path models = Files.isDirectory(root.resolve("models")) ? root.resolve("models")
                : TinyModel.modelsDir(root.resolve("models"));
        ModelCache cache = new ModelCache(new ModelDirectory(models), TokenizerLocator.fromEnvironment(), farmWide);
        caches.add(cache);
        EngineRenderer engine = new EngineRenderer(cache, TestPlugins.samplers(), new LoraDirectory(root.resolve("loras")),
                new EmbeddingDirectory(root.resolve("embeddings")), InputPictures.from(store), farmWide,
                new ModeCatalogs(Optional.of(upscalers(root, farmWide.orElse(null))),
                        Optional.of(controlNets(root, farmWide.orElse(null)))));
        return farmWide.map(catalog -> new LocalFarm(root.resolve("local"), models, root.resolve("loras"), engine, store,
                catalog)).orElseGet(() -> new LocalFarm(root.resolve("local"), models, root.resolve("loras"), engine, store));
    }

    private static UpscalerCatalog upscalers(Path root, StoreBackedCatalog farmWide) {
        return new UpscalerCatalog(TestPlugins.plugins()::upscalers,
                new UpscalerDirectory(LocalFarm.upscalers(root.resolve("local"))), Optional.ofNullable(farmWide));
    }

    private static ControlNetCatalog controlNets(Path root, StoreBackedCatalog farmWide) {
        return new ControlNetCatalog(new ControlNetDirectory(root.resolve("controlnet")),
                () -> TestPlugins.plugins().preprocessors(), Optional.ofNullable(farmWide));
    }

    private static Path picture(Path file, int width, int height) throws Exception {
        float[] chw = new float[3 * width * height];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    chw[(c * height + y) * width + x] = ((x * 7 + y * 3 + c * 50) % 256) / 255f;
                }
            }
        }
        PngWriter.write(new RgbImage(width, height, chw), "", file);
        return file;
    }

    private static String dataUri(Path png) throws Exception {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png));
    }
}

package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.farm.config.Catalog;
import dev.diffarm.farm.config.RenderSettings;
import dev.diffarm.farm.config.TaskParameters;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The farm-wide catalog on a store two nodes share (a local folder store): node B renders, validates and lists what
 * only the store holds, fetched into its own folders once.
 */
class StoreBackedCatalogTest {
    /** AUTOMATIC1111's short hash of the engine's LoRA fixture lora-a (as LoraJobsTest has it). */
    private static final String LORA_A_HASH = "c620b50f7005";
    private static final Path LORA_A = TinyModel.source().getParent().resolve("lora-a.safetensors");

    @TempDir
    Path dir;
    private OutputStore store;
    private Path models;
    private Path loras;
    private Path embeddings;
    private StoreBackedCatalog catalog;

    @BeforeEach
    void nodeBWithEmptyFolders() throws IOException {
        store = new LocalOutputStore(dir.resolve("store"));
        models = Files.createDirectories(dir.resolve("node-b/models"));
        loras = dir.resolve("node-b/loras");
        embeddings = dir.resolve("node-b/embeddings");
        catalog = new StoreBackedCatalog(store, models, loras, embeddings);
        store.put("loras/lora-a.safetensors", LORA_A, ObjectMetadata.of("application/octet-stream"));
    }

    @Test
    void aLoraOnlyInTheStoreIsListedKnownAndFetchedOnce() throws IOException {
        assertEquals(List.of("lora-a"), catalog.names(StoreBackedCatalog.Kind.LORA));
        FarmCatalog withStore = new FarmCatalog(new ModelDirectory(models), TestPlugins.samplers(), new LoraDirectory(loras),
                Optional.of(catalog));
        FarmCatalog nodeOnly = new FarmCatalog(new ModelDirectory(models), TestPlugins.samplers(), new LoraDirectory(loras));
        assertTrue(withStore.knows(Catalog.Kind.LORA, "lora-a"));
        assertEquals(List.of("lora-a"), withStore.names(Catalog.Kind.LORA));
        assertFalse(nodeOnly.knows(Catalog.Kind.LORA, "lora-a"), "the node's folder alone does not have it");
        assertFalse(withStore.knows(Catalog.Kind.LORA, "lora-b"));

        assertTrue(catalog.fetch(StoreBackedCatalog.Kind.LORA, "lora-a"), "fetched the first time");
        assertFalse(catalog.fetch(StoreBackedCatalog.Kind.LORA, "lora-a"), "not again: the folder has it now");
        assertArrayEquals(Files.readAllBytes(LORA_A), Files.readAllBytes(loras.resolve("lora-a.safetensors")));
        assertFalse(catalog.fetch(StoreBackedCatalog.Kind.LORA, "lora-b"), "not in the store");
        assertFalse(catalog.fetch(StoreBackedCatalog.Kind.LORA, "../lora-a"), "a name that leaves the folder");
        assertFalse(catalog.has(StoreBackedCatalog.Kind.LORA, "../store/loras/lora-a"));
    }

    @Test
    void aRenderOnAnotherNodeUsesTheStoresLoraByItsTagAndRecordsItsHash() throws Exception {
        Path local = dir.resolve("node-b/local");
        ModelCache modelCache = new ModelCache(new ModelDirectory(TinyModel.modelsDir(models)),
                TokenizerLocator.fromEnvironment(), Optional.of(catalog));
        try (modelCache) {
            EngineRenderer engine = new EngineRenderer(modelCache, TestPlugins.samplers(), new LoraDirectory(loras),
                    new EmbeddingDirectory(embeddings), InputPictures.inlineOnly(), Optional.of(catalog));
            LocalFarm farm = new LocalFarm(local, models, Files.createDirectories(loras), engine);
            farm.drop("job.json", TinyModel.renderJob("tagged", "[\"a cat in a hat <lora:lora-a:0.8>\"]", "[1]", 3));
            farm.runUntilIdle();

            String parameters = PngReader.readParameters(local.resolve("outputs/jobs/tagged/t0000.png")).orElseThrow();
            System.out.println("node B's PNG: " + parameters.replace('\n', ' '));
            assertTrue(parameters.endsWith(", Lora hashes: \"lora-a: " + LORA_A_HASH + "\""), parameters);
            assertTrue(Files.isRegularFile(loras.resolve("lora-a.safetensors")), "cached in the node's LoRA folder");
        }
    }

    @Test
    void aDiffusersFolderOnlyInTheStoreIsFetchedWholeAndLoads() throws IOException {
        Path source = TinyModel.source();
        try (Stream<Path> files = Files.walk(source)) {
            for (Path file : files.filter(Files::isRegularFile).toList()) {
                store.put("models/shared-tiny/" + source.relativize(file).toString().replace('\\', '/'), file,
                        ObjectMetadata.of("application/octet-stream"));
            }
        }
        assertEquals(List.of("shared-tiny"), catalog.names(StoreBackedCatalog.Kind.MODEL));
        assertTrue(new FarmCatalog(new ModelDirectory(models), TestPlugins.samplers(), new LoraDirectory(loras),
                Optional.of(catalog)).knows(Catalog.Kind.MODEL, "shared-tiny"));

        try (ModelCache cache = new ModelCache(new ModelDirectory(models), TokenizerLocator.fromEnvironment(),
                Optional.of(catalog))) {
            assertEquals("shared-tiny", cache.lease("shared-tiny").model().name());
        }
        try (Stream<Path> left = Files.list(models)) {
            assertEquals(List.of(".shared-tiny.fetched", "shared-tiny"), left.map(p -> p.getFileName().toString()).sorted()
                    .toList(), "the folder and its cache marker, and no partial one");
        }
        assertArrayEquals(Files.readAllBytes(source.resolve("model_index.json")),
                Files.readAllBytes(models.resolve("shared-tiny/model_index.json")));
    }

    @Test
    void aControlNetOnlyInTheStoreIsListedKnownAndFetchedInEitherForm() throws IOException {
        Path controlNets = dir.resolve("node-b/controlnet");
        StoreBackedCatalog everyKind = new StoreBackedCatalog(store, StoreBackedCatalog.Folders.of(models, loras,
                embeddings, controlNets, dir.resolve("node-b/upscalers")), StoreBackedCatalog.DEFAULT_MAX_BYTES,
                java.time.Clock.systemUTC());
        Path tinyControl = TinyModel.source().getParent().resolve("controlnet");
        for (String file : List.of("config.json", "diffusion_pytorch_model.safetensors")) {
            store.put("controlnet/canny-folder/" + file, tinyControl.resolve(file),
                    ObjectMetadata.of("application/octet-stream"));
        }
        store.put("controlnet/canny-file.safetensors", new byte[] {1, 2, 3}, "application/octet-stream");
        store.put("controlnet/half/diffusion_pytorch_model.safetensors", new byte[] {4}, "application/octet-stream");
        ControlNetCatalog catalog = new ControlNetCatalog(new ControlNetDirectory(controlNets),
                () -> TestPlugins.plugins().preprocessors(), Optional.of(everyKind));

        assertEquals(List.of("canny-file", "canny-folder"), catalog.modelNames(), "a folder without config.json is none");
        assertEquals(List.of("canny-file", "canny-folder"), catalog.storeOnlyNames());
        assertTrue(catalog.knowsModel("canny-folder"));
        assertFalse(catalog.knowsModel("half"));
        assertEquals(controlNets.resolve("canny-folder"), catalog.model("controlnets[0].model", "canny-folder"));
        assertArrayEquals(Files.readAllBytes(tinyControl.resolve("diffusion_pytorch_model.safetensors")),
                Files.readAllBytes(controlNets.resolve("canny-folder/diffusion_pytorch_model.safetensors")));
        assertEquals(controlNets.resolve("canny-file.safetensors"), catalog.model("controlnets[1].model", "canny-file"));
        assertEquals(List.of(), catalog.storeOnlyNames(), "both on the node now");
        RenderException missing = assertThrows(RenderException.class, () -> catalog.model("controlnets[2].model", "half"));
        assertEquals("controlnets[2].model = \"half\": no such ControlNet in " + controlNets + " or the farm's store; "
                + "the farm has [canny-file, canny-folder]", missing.getMessage());
    }

    @Test
    void anUpscalerModelOnlyInTheStoreIsListedKnownAndFetchedWhenOpened() throws IOException {
        Path upscalers = dir.resolve("node-b/upscalers");
        StoreBackedCatalog everyKind = new StoreBackedCatalog(store, StoreBackedCatalog.Folders.of(models, loras,
                embeddings, dir.resolve("node-b/controlnet"), upscalers), StoreBackedCatalog.DEFAULT_MAX_BYTES,
                java.time.Clock.systemUTC());
        Path esrgan = TinyModel.source().getParent().resolve("esrgan-x4-basicsr.pth");
        store.put("upscalers/esrgan-x4.pth", esrgan, ObjectMetadata.of("application/octet-stream"));
        UpscalerCatalog catalog = new UpscalerCatalog(TestPlugins.plugins()::upscalers, new UpscalerDirectory(upscalers),
                Optional.of(everyKind));

        assertEquals(List.of("esrgan-x4", "Lanczos", "Nearest"), catalog.names());
        assertTrue(catalog.knows("esrgan-x4"));
        assertFalse(catalog.knows("esrgan-x2"));
        assertTrue(new FarmCatalog(new ModelDirectory(models), TestPlugins.samplers(), new LoraDirectory(loras),
                Optional.of(everyKind), Optional.of(catalog)).knows(Catalog.Kind.UPSCALER, "esrgan-x4"),
                "an upscale job naming it is accepted at intake");
        try (UpscalerCache cache = new UpscalerCache(catalog)) {
            assertEquals(80, cache.lease("upscaler", "esrgan-x4", dev.diffarm.api.upscale.Tiling.NONE)
                    .upscale(new dev.diffarm.api.image.Picture(20, 24, new float[3 * 20 * 24]),
                            4, dev.diffarm.api.Progress.NONE).width());
        }
        assertArrayEquals(Files.readAllBytes(esrgan), Files.readAllBytes(upscalers.resolve("esrgan-x4.pth")));
    }

    @Test
    void anEmbeddingIsFetchedWhenAPromptNamesIt() throws IOException {
        store.put("embeddings/zwx-style.safetensors", new byte[] {1, 2, 3}, "application/octet-stream");
        store.put("embeddings/other.safetensors", new byte[] {4}, "application/octet-stream");
        catalog.fetchFor(new TaskParameters("a house, zwx-style, at dusk", 1, new dev.diffarm.farm.config.Size(32, 32),
                RenderSettings.defaults(TinyModel.NAME)));
        assertTrue(Files.isRegularFile(embeddings.resolve("zwx-style.safetensors")));
        assertFalse(Files.exists(embeddings.resolve("other.safetensors")), "only what the prompt names");
    }
}

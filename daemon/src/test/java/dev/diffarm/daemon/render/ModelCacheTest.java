package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.engine.clip.TokenizerLocator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model cache's budget of estimated bytes: three names of the tiny model (links to its folder), each estimated at
 * the size of its weight files; the model used longest ago goes first, and a model in use never.
 */
class ModelCacheTest {
    @TempDir
    Path dir;
    private ModelDirectory models;
    private long modelBytes;

    @BeforeEach
    void threeModels() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("models"));
        for (String name : List.of("a", "b", "c")) {
            Files.createSymbolicLink(folder.resolve(name), TinyModel.source());
        }
        models = new ModelDirectory(folder);
        modelBytes = ModelCache.estimatedBytes(folder.resolve("a"));
        System.out.println("the tiny model's estimate: " + modelBytes + " bytes");
    }

    @Test
    void theModelUsedLongestAgoIsUnloadedWhenTheNextDoesNotFit() {
        try (ModelCache cache = cache(2 * modelBytes + modelBytes / 2)) {
            ModelCache.LoadedModel a = cache.lease("a");
            cache.lease("b");
            assertEquals(List.of("a", "b"), cache.loadedNames(), "two fit");
            assertSame(a, cache.lease("a"), "still loaded: not loaded again");
            assertEquals(List.of("b", "a"), cache.loadedNames(), "a used last");
            cache.lease("c");
            assertEquals(List.of("a", "c"), cache.loadedNames(), "b, used longest ago, made room for c");
            assertEquals(Optional.of("c"), cache.loadedName());
        }
    }

    @Test
    void aModelInUseIsNeverUnloadedEvenOverTheBudget() {
        try (ModelCache cache = cache(modelBytes)) {
            ModelCache.Lease a = cache.use("a");
            ModelCache.Lease b = cache.use("b");
            assertEquals(List.of("a", "b"), cache.loadedNames(), "a is in use: kept, over the budget");
            a.close();
            ModelCache.Lease c = cache.use("c");
            assertEquals(List.of("b", "c"), cache.loadedNames(), "a, released, went; b, in use, stays");
            b.close();
            c.close();
            cache.lease("a");
            assertEquals(List.of("a"), cache.loadedNames(), "one model's budget holds one model not in use");
            cache.lease("b");
            assertEquals(List.of("b"), cache.loadedNames(), "a lease releases the model leased before it");
        }
    }

    @Test
    void modelsControlNetsAndUpscalersShareTheWorkersOneBudget() throws IOException {
        Path controlNet = TinyModel.source().getParent().resolve("controlnet");
        long controlNetBytes = LoadedWeights.files(controlNet).bytes();
        Path esrgan = Files.copy(Path.of("../engine/src/test/resources/sd-tiny/esrgan-x4-basicsr.pth"),
                Files.createDirectories(dir.resolve("upscalers")).resolve("esrgan-x4.pth"));
        try (ModelCache cache = cache(modelBytes + controlNetBytes / 2)) {
            cache.lease("a");
            cache.controlNets().lease(controlNet, Optional.empty()).close();
            assertEquals(List.of("a"), cache.loadedNames(), "the model, leased, stays: over the budget");
            assertEquals(List.of(controlNet), cache.controlNets().loaded());
            try (UpscalerCache upscalers = new UpscalerCache(new UpscalerCatalog(TestPlugins.plugins()::upscalers,
                    new UpscalerDirectory(esrgan.getParent())), cache.weights())) {
                upscalers.lease("upscaler", "esrgan-x4", dev.diffarm.api.upscale.Tiling.NONE);
                assertEquals(List.of(), cache.controlNets().loaded(), "the idle ControlNet made room for the upscaler");
                cache.lease("b");
                assertEquals(List.of("b"), cache.loadedNames(), "a, released, made room for b");
                System.out.printf("one worker's weights: %d bytes of %d (model %d, ControlNet %d, ESRGAN %d)%n",
                        cache.weights().bytes(), cache.weights().budgetBytes(), modelBytes, controlNetBytes,
                        Files.size(esrgan));
            }
        }
    }

    private ModelCache cache(long budget) {
        return new ModelCache(models, TokenizerLocator.fromEnvironment(), Optional.empty(), budget);
    }
}

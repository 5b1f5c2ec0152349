package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;
import dev.diffarm.api.upscale.TileLayout;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.engine.upscale.ImageUpscaler;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's upscaler is loaded once and kept for the next lease of the same model and tiling; another model, another
 * tiling or a model file replaced in the folder loads anew, and what was loaded before is closed.
 */
class UpscalerCacheTest {
    private static final Path ESRGAN_X4 = Path.of("../engine/src/test/resources/sd-tiny/esrgan-x4-basicsr.pth");
    private static final Tiling TILED = new Tiling(12, 4, TileLayout.GRID);

    @TempDir
    Path folder;

    private UpscalerCache cache() throws IOException {
        Files.copy(ESRGAN_X4, folder.resolve("esrgan-x4.pth"));
        return new UpscalerCache(new UpscalerCatalog(TestPlugins.plugins()::upscalers, new UpscalerDirectory(folder)));
    }

    @Test
    void theSameModelAndTilingIsLoadedOnce() throws IOException {
        try (UpscalerCache cache = cache()) {
            ImageUpscaler first = cache.lease("upscaler", "esrgan-x4", TILED);
            assertSame(first, cache.lease("upscaler", "esrgan-x4", TILED));
            assertEquals(80, first.upscale(picture(), 4, Progress.NONE).width(), "the kept network still runs");
        }
    }

    @Test
    void anotherUpscalerOrTilingReplacesTheLoadedOne() throws IOException {
        try (UpscalerCache cache = cache()) {
            ImageUpscaler tiled = cache.lease("upscaler", "esrgan-x4", TILED);
            ImageUpscaler untiled = cache.lease("upscaler", "esrgan-x4", Tiling.NONE);
            assertNotSame(tiled, untiled);
            assertEquals(80, untiled.upscale(picture(), 4, Progress.NONE).width());
            ImageUpscaler lanczos = cache.lease("upscaler", "lanczos", Tiling.NONE);
            assertEquals("Lanczos", lanczos.label());
            assertSame(lanczos, cache.lease("upscaler", "Lanczos", Tiling.NONE), "a resampler's name in any case");
        }
    }

    @Test
    void aModelFileReplacedInTheFolderIsLoadedAnew() throws IOException {
        try (UpscalerCache cache = cache()) {
            ImageUpscaler before = cache.lease("upscaler", "esrgan-x4", TILED);
            Path model = folder.resolve("esrgan-x4.pth");
            Files.copy(ESRGAN_X4, model, StandardCopyOption.REPLACE_EXISTING);
            Files.setLastModifiedTime(model, FileTime.from(Instant.now().plusSeconds(60)));
            assertNotSame(before, cache.lease("upscaler", "esrgan-x4", TILED));
        }
    }

    @Test
    void anUnknownNameIsRefusedListingTheKnownOnes() throws IOException {
        try (UpscalerCache cache = cache()) {
            RenderException e = assertThrows(RenderException.class, () -> cache.lease("upscaler", "4x-Nope", TILED));
            assertTrue(e.getMessage().startsWith("upscaler = \"4x-Nope\": no such upscaler on this node; it has ["),
                    e.getMessage());
            assertTrue(e.getMessage().contains("esrgan-x4"), e.getMessage());
        }
    }

    private static Picture picture() {
        float[] chw = new float[3 * 20 * 24];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (i % 17) / 16f;
        }
        return new Picture(20, 24, chw);
    }
}

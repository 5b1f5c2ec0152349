package dev.diffarm.engine.upscale;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;
import dev.diffarm.api.upscale.PixelPath;
import dev.diffarm.api.upscale.TileGrid;
import dev.diffarm.api.upscale.TileLayout;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.api.upscale.UpscaleNetwork;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.TestSamplers;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The ESRGAN plugin, loaded through PF4J as the CLI loads it, against BasicSR's RRDBNet on every file form of the
 * fixtures ({@code esrgan-reference.safetensors}): BasicSR keys as safetensors and as {@code params_ema} .pth, the
 * original ESRGAN layout, scale 4 and scale 2, untiled and tiled as A1111 tiles.
 */
class EsrganParityTest {
    private static final double TOLERANCE = 1e-4;
    private static SafetensorsFile reference;
    private static Picture input;

    @BeforeAll
    static void open() {
        reference = SafetensorsFile.open(Fixtures.sdTiny("esrgan-reference.safetensors"));
        input = new Picture(20, 24, reference.floats("input"));
    }

    @AfterAll
    static void close() {
        reference.close();
    }

    private static Upscalers upscalers() {
        return TestSamplers.plugins().upscalers();
    }

    @ParameterizedTest
    @ValueSource(strings = {"esrgan-x4-basicsr.safetensors", "esrgan-x4-basicsr.pth", "esrgan-x4-old.pth"})
    void x4RawOutputMatchesBasicSr(String file) {
        raw(file, "x4", 4);
    }

    @ParameterizedTest
    @ValueSource(strings = {"esrgan-x2-basicsr.safetensors", "esrgan-x2-basicsr.pth"})
    void x2RawOutputMatchesBasicSr(String file) {
        raw(file, "x2", 2);
    }

    private static void raw(String file, String key, int scale) {
        Path path = Fixtures.sdTiny(file);
        try (NDManager manager = NDManager.newBaseManager()) {
            UpscaleNetwork network = upscalers().network(file, UpscalerModelFile.read(path, manager));
            assertEquals(scale, network.scale(), file + ": scale read from the weights");
            NDArray out = network.forward(input.toBatch(manager));
            assertArrayEquals(new long[] {1, 3, 24L * scale, 20L * scale}, out.getShape().getShape());
            Parity.assertClose(file + " " + key + ".output_raw", reference.floats(key + ".output_raw"), out.toFloatArray(),
                    TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"esrgan-x4-basicsr.safetensors", "esrgan-x4-basicsr.pth", "esrgan-x4-old.pth",
            "esrgan-x2-basicsr.safetensors", "esrgan-x2-basicsr.pth"})
    void untiledUpscaleIsTheClampedOutput(String file) {
        int scale = file.contains("x4") ? 4 : 2;
        try (ImageUpscaler upscaler = upscalers().open("--upscaler", Fixtures.sdTiny(file).toString(), Tiling.NONE)) {
            assertEquals(file.substring(0, file.lastIndexOf('.')), upscaler.label());
            Picture out = upscaler.upscale(input, scale, Progress.NONE);
            assertEquals(20 * scale, out.width());
            Parity.assertClose(file + " x" + scale + ".output", reference.floats("x" + scale + ".output"), out.chw(),
                    TOLERANCE);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"esrgan-x4-basicsr.safetensors", "esrgan-x4-old.pth"})
    void tiledAsA1111Tiles(String file) {
        assertEquals(origins("x4.tiled_origins_yx"), gridOrigins(TileGrid.gridOrigins(24, 12, 4),
                TileGrid.gridOrigins(20, 12, 4)));
        try (ImageUpscaler upscaler = upscalers().open("--upscaler", Fixtures.sdTiny(file).toString(),
                new Tiling(12, 4, TileLayout.GRID))) {
            Parity.assertClose(file + " x4.tiled", reference.floats("x4.tiled"),
                    upscaler.upscale(input, 4, Progress.NONE).chw(), TOLERANCE);
        }
    }

    @Test
    void tiledUpscale2() {
        assertEquals(origins("x4.tiled2_origins_yx"), gridOrigins(TileGrid.averageOrigins(24, 12, 4),
                TileGrid.averageOrigins(20, 12, 4)));
        try (ImageUpscaler upscaler = upscalers().open("--upscaler",
                Fixtures.sdTiny("esrgan-x4-basicsr.safetensors").toString(), new Tiling(12, 4, TileLayout.AVERAGE))) {
            Parity.assertClose("x4.tiled2", reference.floats("x4.tiled2"), upscaler.upscale(input, 4, Progress.NONE).chw(),
                    TOLERANCE);
        }
    }

    /** A1111's own uint8 BGR path: levels equal but where the float network's 1e-6 crosses a level boundary. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"0, x4.a1111_untiled_u8", "12, x4.a1111_tiled_u8"})
    void a1111sBgr8BitPath(int tile, String key) {
        float[] hwc = reference.floats(key);
        try (ImageUpscaler upscaler = upscalers().open("--upscaler",
                Fixtures.sdTiny("esrgan-x4-basicsr.pth").toString(), new Tiling(tile, tile == 0 ? 0 : 4,
                        TileLayout.GRID), PixelPath.A1111_BGR8)) {
            Picture out = upscaler.upscale(Picture.fromRgb8(20, 24, bytes(reference.floats("input_u8"))), 4,
                    Progress.NONE);
            byte[] rgb = out.toRgb8();
            int worst = 0;
            int differing = 0;
            for (int i = 0; i < hwc.length; i++) {
                int d = Math.abs((rgb[i] & 0xff) - (int) hwc[i]);
                worst = Math.max(worst, d);
                differing += d == 0 ? 0 : 1;
            }
            System.out.printf("parity %s: %d of %d 8-bit levels differ, by at most %d%n", key, differing, hwc.length,
                    worst);
            assertEquals(true, worst <= 1 && differing <= hwc.length / 1000, key + ": " + differing
                    + " levels differ, by at most " + worst);
        }
    }

    private static byte[] bytes(float[] levels) {
        byte[] out = new byte[levels.length];
        for (int i = 0; i < levels.length; i++) {
            out[i] = (byte) levels[i];
        }
        return out;
    }

    @Test
    void theMaskRampIsCombineGrids() {
        float[] ramp = reference.floats("x4.tiled_mask_ramp");
        int[] fade = TileGrid.fadeIn(16);
        for (int i = 0; i < ramp.length; i++) {
            assertEquals(ramp[i], fade[i], "mask value " + i);
        }
    }

    private static List<String> origins(String key) {
        long[] yx = reference.longs(key);
        List<String> out = new ArrayList<>();
        for (int i = 0; i < yx.length; i += 2) {
            out.add(yx[i] + "," + yx[i + 1]);
        }
        return out;
    }

    private static List<String> gridOrigins(int[] ys, int[] xs) {
        List<String> out = new ArrayList<>();
        for (int y : ys) {
            for (int x : xs) {
                out.add(y + "," + x);
            }
        }
        return out;
    }
}

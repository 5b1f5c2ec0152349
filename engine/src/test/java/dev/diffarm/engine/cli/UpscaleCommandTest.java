package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.api.image.Picture;
import dev.diffarm.api.image.PillowResize;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.upscale.HostilePickle;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code diffarm upscale} end to end: the fixture picture through the plugins as a user runs them. */
class UpscaleCommandTest {
    @TempDir
    Path dir;
    private Path input;
    private byte[] inputRgb;

    /** The fixture's {@code input_u8} (24 rows of 20 pixels) as a PNG with generation parameters. */
    @BeforeEach
    void writeInput() throws IOException {
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("esrgan-reference.safetensors"))) {
            float[] hwc = reference.floats("input_u8");
            inputRgb = new byte[hwc.length];
            for (int i = 0; i < hwc.length; i++) {
                inputRgb[i] = (byte) hwc[i];
            }
        }
        Picture picture = Picture.fromRgb8(20, 24, inputRgb);
        input = dir.resolve("in.png");
        PngWriter.write(new RgbImage(20, 24, picture.chw()), "a cat\nSteps: 20, Seed: 1", input);
    }

    @Test
    void esrganTiledAsA1111() throws IOException {
        Path out = dir.resolve("out.png");
        CommandLineRun run = CommandLineRun.of("upscale", "--upscaler", Fixtures.sdTiny("esrgan-x4-old.pth").toString(),
                "--scale", "4", "--tile", "12", "--tile-overlap", "4", "--in", input.toString(), "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(out.toString(), run.out().trim());
        RgbImage image = PngReader.readImage(out);
        assertEquals(80, image.width());
        assertEquals(96, image.height());
        float[] tiled;
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("esrgan-reference.safetensors"))) {
            tiled = reference.floats("x4.tiled");
        }
        int worst = 0;
        int differing = 0;
        for (int i = 0; i < tiled.length; i++) {
            int expected = Math.round(tiled[i] * 255f);
            int got = Math.round(image.chw()[i] * 255f);
            worst = Math.max(worst, Math.abs(expected - got));
            differing += expected == got ? 0 : 1;
        }
        System.out.printf("upscale CLI vs x4.tiled in 8 bits: %d of %d samples differ, by at most %d%n", differing,
                tiled.length, worst);
        assertTrue(worst <= 1, "8-bit levels off by " + worst);
        assertEquals("a cat\nSteps: 20, Seed: 1, Postprocess upscale by: 4, Postprocess upscaler: esrgan-x4-old",
                PngReader.readParameters(out).orElseThrow());
    }

    @Test
    void lanczosIsPillowsAndRoundsTheSizeDownToMultiplesOf8() throws IOException {
        Path out = dir.resolve("lanczos.png");
        CommandLineRun run = CommandLineRun.of("upscale", "--upscaler", "lanczos", "--scale", "2.5", "--in",
                input.toString(), "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        RgbImage image = PngReader.readImage(out);
        // int(20 * 2.5) x int(24 * 2.5) = 50 x 60 by Lanczos, then Lanczos to 48 x 56 (multiples of 8)
        byte[] expected = PillowResize.lanczos(50, 60, PillowResize.lanczos(20, 24, inputRgb, 50, 60), 48, 56);
        assertEquals(48, image.width());
        assertEquals(56, image.height());
        assertArrayEquals(Picture.fromRgb8(48, 56, expected).chw(), image.chw());
    }

    @Test
    void anUnknownUpscalerListsTheKnownOnes() {
        CommandLineRun run = CommandLineRun.of("upscale", "--upscaler", "ESRGAN_4x", "--in", input.toString(), "--out",
                dir.resolve("x.png").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--upscaler: 'ESRGAN_4x' is not an upscaler; expected one of [Lanczos, Nearest] "
                + "or a model file (.safetensors, .pth) of [ESRGAN]"), run.err());
    }

    @Test
    void aFolderThatIsNoUpscalerPipelineIsRefused() {
        CommandLineRun run = CommandLineRun.of("upscale", "--upscaler", dir.toString(), "--in", input.toString(),
                "--out", dir.resolve("x.png").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("a folder must be a diffusers StableDiffusionUpscalePipeline"), run.err());
    }

    @Test
    void aHostilePthIsRefusedByNameAndNothingRuns() throws IOException {
        Path marker = dir.resolve("pwned");
        Path evil = HostilePickle.write(dir.resolve("evil.pth"), "touch " + marker);
        CommandLineRun run = CommandLineRun.of("upscale", "--upscaler", evil.toString(), "--in", input.toString(),
                "--out", dir.resolve("x.png").toString());
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("refused: its pickle refers to 'os.system'"), run.err());
        assertFalse(Files.exists(marker), "the pickle's command ran");
        assertFalse(Files.exists(dir.resolve("x.png")));
    }

    @Test
    void badTilingIsAUsageError() {
        CommandLineRun run = CommandLineRun.of("upscale", "--upscaler", "Nearest", "--tile", "8", "--tile-overlap", "8",
                "--in", input.toString(), "--out", dir.resolve("x.png").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("tile overlap = 8: expected 0..7 (less than the tile size 8)"), run.err());
    }
}

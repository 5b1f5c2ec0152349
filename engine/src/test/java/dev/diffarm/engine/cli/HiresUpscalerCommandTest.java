package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code render --hires-upscaler} with an upscaler plugin (A1111: decode the first pass, upscale the pictures,
 * encode them, second pass), through the command line and so the {@code GenerationRequest} path the daemon uses.
 */
class HiresUpscalerCommandTest {
    @TempDir
    Path dir;

    private List<String> render(String upscaler, String out) {
        return new ArrayList<>(List.of("render", "--model", Fixtures.sdTiny("model").toString(), "--prompt", "a cat",
                "--sampler", "Euler a", "--steps", "4", "--seed", "7", "--width", "32", "--height", "32",
                "--hires-scale", "2", "--hires-upscaler", upscaler, "--denoising-strength", "0.5",
                "--out", dir.resolve(out + ".png").toString(),
                "--latents-out", dir.resolve(out + ".safetensors").toString()));
    }

    private float[] latents(String out) throws IOException {
        try (SafetensorsFile file = SafetensorsFile.open(dir.resolve(out + ".safetensors"))) {
            return file.floats("latents");
        }
    }

    @Test
    void anEsrganModelEnlargesTheFirstPassPictures() throws IOException {
        String model = Fixtures.sdTiny("esrgan-x2-basicsr.pth").toString();
        CommandLineRun run = CommandLineRun.of(render(model, "esrgan").toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        RgbImage image = PngReader.readImage(dir.resolve("esrgan.png"));
        assertEquals(64, image.width());
        assertEquals(64, image.height());
        String parameters = PngReader.readParameters(dir.resolve("esrgan.png")).orElseThrow();
        assertTrue(parameters.contains("Hires upscale: 2, Hires upscaler: esrgan-x2-basicsr"), parameters);

        CommandLineRun again = CommandLineRun.of(render(model, "again").toArray(String[]::new));
        assertEquals(0, again.exitCode(), again.err());
        assertArrayEquals(latents("esrgan"), latents("again"), "the same request renders the same latents");

        CommandLineRun latent = CommandLineRun.of(render("Latent", "latent").toArray(String[]::new));
        assertEquals(0, latent.exitCode(), latent.err());
        assertFalse(Arrays.equals(latents("esrgan"), latents("latent")), "the pictures were upscaled, not the latents");
    }

    @Test
    void aResamplerByName() throws IOException {
        CommandLineRun run = CommandLineRun.of(render("lanczos", "lanczos").toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        String parameters = PngReader.readParameters(dir.resolve("lanczos.png")).orElseThrow();
        assertTrue(parameters.contains("Hires upscaler: Lanczos"), parameters);
    }

    @Test
    void anUnknownUpscalerListsLatentModesAndPlugins() {
        CommandLineRun run = CommandLineRun.of(render("4x-Missing", "x").toArray(String[]::new));
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--hires-upscaler = 4x-Missing: expected one of Latent, Latent (nearest), "
                + "Latent (nearest-exact), Lanczos, Nearest, or an upscaler model file (.safetensors, .pth) of [ESRGAN]"),
                run.err());
    }
}

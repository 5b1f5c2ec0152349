package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.TestSamplers;
import dev.diffarm.engine.upscale.sd.SdUpscale;
import dev.diffarm.engine.upscale.sd.SdUpscaleModel;
import dev.diffarm.engine.upscale.sd.SdUpscaleRequest;
import dev.diffarm.engine.upscale.sd.SdUpscaleResult;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code upscale --upscaler DIR} with an SD x4 upscaler folder ({@link SdUpscaleOptions}; the command owns {@code --upscaler},
 * {@code --in}, {@code --out} and the plugins): a PNG in, a PNG x4 out, pixel for pixel what the engine's entry
 * point makes of the same picture, with its infotext and latents; {@code --help}; refusals naming the option.
 */
class SdUpscaleOptionsTest {
    private static final String CAT = "a painting of a cat in the snow";
    @TempDir
    Path dir;

    private static CommandLineRun run(String... args) {
        String[] command = new String[args.length + 1];
        command[0] = "upscale";
        System.arraycopy(args, 0, command, 1, args.length);
        return CommandLineRun.of(command);
    }

    /** The fixture's low-res picture as an 8-bit PNG. */
    private Path lowResPng() throws IOException {
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("upscale-x4-DDIM-20steps.safetensors"))) {
            long[] shape = reference.info("low_res_image").shape();
            Path png = dir.resolve("low.png");
            PngWriter.write(new RgbImage((int) shape[3], (int) shape[2], reference.floats("low_res_image")), "", png);
            return png;
        }
    }

    @Test
    void upscalesAPngAsTheEngineDoes() throws IOException {
        Path low = lowResPng();
        Path big = dir.resolve("big.png");
        Path latents = dir.resolve("latents.safetensors");
        Path upscaler = Fixtures.sdTiny("upscaler");
        CommandLineRun run = run("--upscaler", upscaler.toString(), "--in", low.toString(), "--out", big.toString(),
                "--prompt", CAT, "--negative", "ugly, blurry", "--steps", "20", "--cfg", "7.5", "--seed", "2551426898",
                "--noise-level", "20", "--latents-out", latents.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(big + System.lineSeparator() + latents + System.lineSeparator(), run.out());
        assertTrue(run.err().contains("step 20/20"), run.err());

        RgbImage written = PngReader.readImage(big);
        assertEquals(64, written.width());
        assertEquals(64, written.height());
        RgbImage input = PngReader.readImage(low);
        SdUpscaleResult direct;
        try (SdUpscaleModel model = SdUpscaleModel.load(upscaler, Optional.empty(), TokenizerLocator.fromEnvironment())) {
            direct = new SdUpscale(TestSamplers.plugins(), EmbeddingLibrary.none()).upscale(model,
                    ModelHash.shortHash(upscaler), new SdUpscaleRequest(new Picture(input.width(), input.height(),
                            input.chw()), CAT, "ugly, blurry", "DDIM", 20, 7.5, 2551426898L, 20, Emphasis.ORIGINAL),
                    dev.diffarm.api.Progress.NONE);
        }
        assertArrayEquals(direct.image().toRgb8(), new Picture(64, 64, written.chw()).toRgb8(),
                "the command's PNG is the entry point's picture, pixel for pixel");
        assertEquals(Optional.of(direct.infotext()), PngReader.readParameters(big));
        try (SafetensorsFile ours = SafetensorsFile.open(latents)) {
            assertArrayEquals(direct.latentShape(), ours.info("latents").shape());
            Parity.assertClose("sd x4 CLI latents vs entry point", direct.latents(), ours.floats("latents"), 0);
        }
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("upscale-x4-DDIM-20steps.safetensors"))) {
            // the PNG rounds the input to 8 bits: close to diffusers' run on the float picture, not equal
            double relative = Parity.relativeError(reference.floats("image"), written.chw());
            System.out.printf("sd x4 CLI image (8-bit input and output) vs diffusers: relative %.3g%n", relative);
            assertTrue(relative < 0.05, "relative error " + relative);
        }
    }

    @Test
    void helpNamesTheUpscalerOptions() {
        CommandLineRun run = run("--help");
        assertEquals(0, run.exitCode(), run.err());
        for (String option : new String[] {"--noise-level", "--prompt", "--negative", "--sampler", "--steps", "--cfg",
                "--seed", "--latents-out", "--no-emphasis", "Default: 20", "Default: 75"}) {
            assertTrue(run.out().contains(option), option + " in " + run.out());
        }
    }

    @Test
    void refusesANoiseLevelAboveTheMaximumNamingIt() throws IOException {
        CommandLineRun run = run("--upscaler", Fixtures.sdTiny("upscaler").toString(), "--in", lowResPng().toString(),
                "--out", dir.resolve("big.png").toString(), "--noise-level", "400", "--steps", "1");
        assertEquals(2, run.exitCode(), "bad input: " + run.err());
        assertTrue(run.err().contains("noise level = 400: expected 0..350"), run.err());
    }

    @Test
    void refusesAMissingPictureNamingTheOption() {
        CommandLineRun run = run("--upscaler", Fixtures.sdTiny("upscaler").toString(), "--in", dir.resolve("nope.png").toString(),
                "--out", dir.resolve("big.png").toString());
        assertEquals(1, run.exitCode(), run.err());
        assertTrue(run.err().contains("--in " + dir.resolve("nope.png") + ": no such file"), run.err());
    }
}

package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * img2img, inpaint, outpaint and render's hires pass through the command line: the reference runs where the
 * inputs survive a PNG (outpainting's picture is 8-bit; the hires fix has none), the infotext fields, and the
 * refusals that name the option.
 */
class ModeCommandsTest {
    private static final double TOLERANCE = 1e-4;
    @TempDir
    Path dir;

    private static RgbImage image(SafetensorsFile reference, String key) {
        long[] shape = reference.info(key).shape();
        return new RgbImage((int) shape[3], (int) shape[2], reference.floats(key));
    }

    private List<String> common(String command, String prompt, String negative, String sampler, long seed) {
        return common(command, prompt, negative, sampler, seed, 20);
    }

    private List<String> common(String command, String prompt, String negative, String sampler, long seed,
                                int steps) {
        return new ArrayList<>(List.of(command, "--model", Fixtures.sdTiny("model").toString(), "--prompt", prompt,
                "--negative", negative, "--sampler", sampler, "--steps", String.valueOf(steps), "--cfg", "7.5",
                "--seed", String.valueOf(seed), "--out", dir.resolve("out.png").toString(),
                "--latents-out", dir.resolve("latents.safetensors").toString()));
    }

    private void assertLatents(String what, String fixture) throws IOException {
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(fixture));
             SafetensorsFile ours = SafetensorsFile.open(dir.resolve("latents.safetensors"))) {
            Parity.assertClose(what + " final latents", reference.floats("final_latents"), ours.floats("latents"),
                    TOLERANCE);
            Parity.assertClose(what + " image (8-bit)", reference.floats("image"),
                    PngReader.readImage(dir.resolve("out.png")).chw(), 1.0 / 255);
        }
    }

    @Test
    void outpaintReproducesTheReferenceFromAPng() throws IOException {
        Path picture = dir.resolve("house.png");
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("gen-outpaint-DDIM.safetensors"))) {
            PngWriter.write(image(reference, "init_image"), "", picture);
        }
        List<String> args = common("outpaint", "a painting of a house and a tree in the garden", "ugly, blurry",
                "DDIM", 246813579L);
        args.addAll(List.of("--init-image", picture.toString(), "--extend", "0,16,0,0"));
        CommandLineRun run = CommandLineRun.of(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        assertLatents("outpaint CLI", "gen-outpaint-DDIM.safetensors");
        String parameters = PngReader.readParameters(dir.resolve("out.png")).orElseThrow();
        assertTrue(parameters.contains("Size: 48x32") && parameters.contains("Denoising strength: 1")
                && parameters.contains("Mask blur: 0"), parameters);
    }

    @Test
    void renderRunsTheHiresPassOfTheReference() throws IOException {
        List<String> args = common("render", "a photo of a cute cat sitting in the park", "blurry, lowres", "DDIM",
                1357913579L);
        args.addAll(List.of("--width", "32", "--height", "32", "--hires-scale", "2", "--hires-upscaler", "Latent",
                "--denoising-strength", "0.55", "--hires-steps-rule", "diffusers"));
        CommandLineRun run = CommandLineRun.of(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        assertLatents("hires fix CLI", "gen-hires-fix-DDIM.safetensors");
        String parameters = PngReader.readParameters(dir.resolve("out.png")).orElseThrow();
        assertTrue(parameters.contains("Size: 32x32") && parameters.contains("Denoising strength: 0.55, "
                + "Hires upscale: 2, Hires upscaler: Latent"), parameters);
    }

    /** 4 first-pass steps, then at strength 0.5: A1111 runs 4 of an 8-step schedule, diffusers int(4 * 0.5) of 4. */
    @ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource({"a1111, 8", "diffusers, 6"})
    void hiresStepRulesRunTheirStepCounts(String rule, int steps) {
        List<String> args = common("render", "a cat", "", "Euler a", 9, 4);
        args.addAll(List.of("--width", "32", "--height", "32", "--hires-scale", "1.5", "--denoising-strength", "0.5",
                "--hires-steps-rule", rule));
        CommandLineRun run = CommandLineRun.of(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(steps, run.err().lines().filter(line -> line.startsWith("step ")).count(), run.err());
        assertTrue(run.out().contains("out.png"), run.out());
    }

    @Test
    void img2imgFitsAnotherSizeAndWritesTheStrength() throws IOException {
        Path picture = dir.resolve("wide.png");
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("gen-outpaint-DDIM.safetensors"))) {
            PngWriter.write(image(reference, "canvas"), "", picture);
        }
        List<String> args = common("img2img", "a cat", "", "Euler a", 5, 4);
        args.addAll(List.of("--init-image", picture.toString(), "--strength", "0.5", "--width", "32", "--height",
                "32", "--resize-mode", "Crop and resize"));
        CommandLineRun run = CommandLineRun.of(args.toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(2, run.err().lines().filter(line -> line.startsWith("step ")).count(),
                "int(4 * 0.5) steps run: " + run.err());
        RgbImage out = PngReader.readImage(dir.resolve("out.png"));
        assertEquals(32, out.width());
        assertEquals(32, out.height());
        String parameters = PngReader.readParameters(dir.resolve("out.png")).orElseThrow();
        assertTrue(parameters.contains("Size: 32x32") && parameters.contains("Denoising strength: 0.5"), parameters);
    }

    @Test
    void inpaintRefusesAMaskOfAnotherSize() throws IOException {
        Path picture = dir.resolve("picture.png");
        Path mask = dir.resolve("mask.png");
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("gen-outpaint-DDIM.safetensors"))) {
            PngWriter.write(image(reference, "init_image"), "", picture);
            PngWriter.write(image(reference, "canvas"), "", mask);
        }
        List<String> args = common("inpaint", "a cat", "", "DDIM", 1);
        args.addAll(List.of("--init-image", picture.toString(), "--mask", mask.toString()));
        CommandLineRun run = CommandLineRun.of(args.toArray(String[]::new));
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("mask 48x32")
                && run.err().contains("expected the init image's size 32x32"), run.err());
    }

    @Test
    void outpaintRefusesAMalformedExtend() {
        CommandLineRun run = CommandLineRun.of("outpaint", "--model", Fixtures.sdTiny("model").toString(),
                "--prompt", "x", "--init-image", "in.png", "--extend", "0,16,0");
        assertEquals(2, run.exitCode(), run.err());
        assertTrue(run.err().contains("--extend 0,16,0: expected LEFT,RIGHT,TOP,BOTTOM"), run.err());
    }

    @ParameterizedTest
    @ValueSource(strings = {"img2img", "inpaint", "outpaint", "render"})
    void everyModeCommandHasHelp(String command) {
        CommandLineRun run = CommandLineRun.of(command, "--help");
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("--latents-out") && run.out().contains("--prompt"), run.out());
        if (!command.equals("render")) {
            assertTrue(run.out().contains("--init-image"), run.out());
        } else {
            assertTrue(run.out().contains("--hires-steps-rule"), run.out());
        }
    }
}

package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.control.ReadyControlMap;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.pipeline.ControlUnit;
import dev.diffarm.engine.pipeline.Generation;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.pipeline.PixelFormats;
import dev.diffarm.engine.pipeline.ResizeMode;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.SharedTinyModel;
import dev.diffarm.engine.testing.TestSamplers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --controlnet PATH[:WEIGHT[:START:END]] --control-image FILE} on the command line: the run is the engine's
 * (the same latents as the {@link Generator} on the same 8-bit picture), the PNG carries the units' infotext, and
 * bad units are refused naming the option.
 */
class ControlNetCommandTest {
    private static final String CAT = "a painting of a cat in the snow";
    private static final long SEED = 2551426897L;
    @TempDir
    Path dir;

    private List<String> render(String... more) {
        List<String> args = new ArrayList<>(List.of("render", "--model", Fixtures.sdTiny("model").toString(),
                "--prompt", CAT, "--negative", "ugly, blurry", "--sampler", "Euler a", "--steps", "20", "--cfg", "7.5",
                "--seed", String.valueOf(SEED), "--width", "32", "--height", "32",
                "--out", dir.resolve("out.png").toString(), "--latents-out", dir.resolve("latents.safetensors").toString()));
        args.addAll(List.of(more));
        return args;
    }

    /** The fixture's control image as a PNG: its 0.5 greys become 128/255, the rest is exact. */
    private Path controlPng() throws IOException {
        Path png = dir.resolve("control.png");
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("controlnet-Euler_a-20steps.safetensors"))) {
            long[] shape = reference.info("control_image").shape();
            PngWriter.write(new RgbImage((int) shape[3], (int) shape[2], reference.floats("control_image")), "", png);
        }
        return png;
    }

    @Test
    void twoUnitsRunAsTheEngineRunsThem() throws IOException {
        Path png = controlPng();
        String controlNet = Fixtures.sdTiny("controlnet").toString();
        CommandLineRun run = CommandLineRun.of(render("--controlnet", controlNet + ":0.5", "--control-image",
                png.toString(), "--controlnet", controlNet + ":0.3:0:0.5", "--control-image", png.toString(),
                "--control-preprocessor", "none").toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());

        RgbImage picture = PixelFormats.toUnit(ImageFiles.read("--control-image", png));
        GenerationRequest request = new GenerationRequest(CAT, "ugly, blurry", "Euler a", 20, 7.5, SEED, 32, 32, 1, 1,
                Emphasis.ORIGINAL).withControlNets(List.of(
                new ControlUnit(Path.of(controlNet), picture, new ReadyControlMap(), 0.5),
                new ControlUnit(Path.of(controlNet), Optional.empty(), picture, new ReadyControlMap(), Map.of(), 0.3, 0,
                        0.5, ResizeMode.CROP_AND_RESIZE)));
        try (SafetensorsFile ours = SafetensorsFile.open(dir.resolve("latents.safetensors"))) {
            Generation engine = new Generator(TestSamplers.plugins()).generate(SharedTinyModel.get(), "0000000000",
                    request, Progress.NONE);
            Parity.assertClose("CLI vs engine, two units", engine.latents(), ours.floats("latents"), 0);
        }
        String parameters = PngReader.readParameters(dir.resolve("out.png")).orElseThrow();
        assertTrue(parameters.contains("ControlNet 0: \"Module: none, Model: controlnet [")
                && parameters.contains("Weight: 0.5, Resize Mode: Crop and Resize")
                && parameters.contains("ControlNet 1: \"Module: none")
                && parameters.contains("Weight: 0.3, Resize Mode: Crop and Resize, Low Vram: False, Guidance Start: 0, "
                + "Guidance End: 0.5, Pixel Perfect: False, Control Mode: Balanced\""), parameters);
    }

    @Test
    void oneUnitFromAPngStaysCloseToDiffusers() throws IOException {
        CommandLineRun run = CommandLineRun.of(render("--controlnet", Fixtures.sdTiny("controlnet") + ":0.8",
                "--control-image", controlPng().toString()).toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("controlnet-Euler_a-20steps.safetensors"));
             SafetensorsFile ours = SafetensorsFile.open(dir.resolve("latents.safetensors"))) {
            // the PNG moves the control image's 0.5 greys by 0.5/255, which the ControlNet passes on a little
            Parity.assertClose("CLI controlnet final latents (8-bit control image)", reference.floats("final_latents"),
                    ours.floats("latents"), 1e-4);
        }
    }

    @Test
    void badUnitsAreRefusedNamingTheOption() throws IOException {
        Path png = controlPng();
        String controlNet = Fixtures.sdTiny("controlnet").toString();
        CommandLineRun thresholds = CommandLineRun.of(render("--controlnet", controlNet, "--control-image",
                png.toString(), "--canny-low", "50").toArray(String[]::new));
        assertEquals(2, thresholds.exitCode());
        assertTrue(thresholds.err().contains("--canny-low/--canny-high go with --control-preprocessor canny, not none"),
                thresholds.err());

        CommandLineRun unknown = CommandLineRun.of(render("--controlnet", controlNet, "--control-image",
                png.toString(), "--control-preprocessor", "depth_zoe").toArray(String[]::new));
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("control preprocessor 'depth_zoe' is not available; expected one of [")
                && unknown.err().contains("none"), unknown.err());

        CommandLineRun weight = CommandLineRun.of(render("--controlnet", controlNet + ":3", "--control-image",
                png.toString()).toArray(String[]::new));
        assertEquals(2, weight.exitCode());
        assertTrue(weight.err().contains("ControlNet weight = 3.0: expected 0..2"), weight.err());

        CommandLineRun missing = CommandLineRun.of(render("--controlnet", dir.resolve("nothing") + ":0.5",
                "--control-image", png.toString()).toArray(String[]::new));
        assertTrue(missing.exitCode() != 0);
        assertTrue(missing.err().contains("nothing") && missing.err().contains("does not exist"), missing.err());

        CommandLineRun noImage = CommandLineRun.of(render("--controlnet", controlNet).toArray(String[]::new));
        assertEquals(2, noImage.exitCode());
        assertTrue(noImage.err().contains("--control-image"), noImage.err());
    }

    @Test
    void helpOfEveryGeneratingCommandListsTheUnitOptions() {
        for (String command : List.of("render", "img2img", "inpaint", "outpaint")) {
            CommandLineRun help = CommandLineRun.of(command, "--help");
            assertEquals(0, help.exitCode(), help.err());
            for (String option : List.of("--controlnet", "--control-image", "--control-preprocessor", "--canny-low",
                    "--canny-high")) {
                assertTrue(help.out().contains(option), command + " --help lacks " + option + ":\n" + help.out());
            }
        }
    }
}

package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.Defaults;
import dev.diffarm.farm.config.JobEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upscale jobs whose upscaler is an SD x4 upscaler folder of the farm's upscalers folder (the reference fixture's tiny
 * {@code StableDiffusionUpscalePipeline}): each picture's PNG is the CLI's {@code upscale --upscaler DIR} with the same
 * render fields, byte for byte (pixels and infotext), with the fields given and with diffusers' defaults; render
 * fields on an image upscaler are refused at intake naming the field; a scale other than the model's fails naming
 * {@code scale}; the upscaler is listed among the farm's upscalers and is no hires upscaler.
 */
class SdUpscaleJobParityTest {
    /** The reference fixture's tiny SD x4 upscaler (the engine's test copy). */
    private static final Path UPSCALER = Path.of("../engine/src/test/resources/sd-tiny/upscaler").toAbsolutePath();
    private static final String NAME = "x4-upscaler";

    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();

    @TempDir
    static Path pictures;
    private static Path picture;

    @TempDir
    Path local;

    @BeforeAll
    static void pictures() throws IOException {
        float[] chw = new float[3 * 16 * 16];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (i * 37 % 256) / 255f;
        }
        picture = pictures.resolve("low.png");
        PngWriter.write(new RgbImage(16, 16, chw), "a cat\nSteps: 4, Seed: 1", picture);
    }

    @BeforeEach
    void upscalersFolder() throws IOException {
        Path upscalers = LocalFarm.upscalers(local);
        Files.createDirectories(upscalers);
        Files.createSymbolicLink(upscalers.resolve(NAME), UPSCALER);
    }

    @Test
    void anSdX4UpscaleJobIsTheClisUpscaleByteForByte() throws IOException {
        LocalFarm farm = farm();
        farm.store.put("inputs/shop/low.png", Files.readAllBytes(picture), "image/png");
        farm.drop("job.json", job("sharp", "\"inputs/shop/low.png\", \"" + dataUri(picture) + "\"",
                ", \"prompt\": \"a painting of a cat\", \"negativePrompt\": \"blurry\", \"sampler\": \"Euler a\", "
                        + "\"steps\": 3, \"cfg\": 7.5, \"seed\": 123, \"noiseLevel\": 40"));
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "task-completed", "completed"),
                farm.events.milestones("sharp"), () -> farm.events.of("sharp").toString());
        Path cli = cli("--prompt", "a painting of a cat", "--negative", "blurry", "--sampler", "Euler a", "--steps",
                "3", "--cfg", "7.5", "--seed", "123", "--noise-level", "40");
        assertSameFile(cli, output("sharp", 0));
        assertSameFile(cli, output("sharp", 1));
        String parameters = PngReader.readParameters(output("sharp", 0)).orElseThrow();
        assertTrue(parameters.startsWith("a painting of a cat\nNegative prompt: blurry\nSteps: 3, Sampler: Euler a, "
                + "CFG scale: 7.5, Seed: 123, Size: 64x64"), parameters);
        assertTrue(parameters.contains("Noise level: 40"), parameters);
        assertEquals(64, PngReader.readImage(output("sharp", 0)).width());
    }

    @Test
    void aJobWithoutRenderFieldsRunsWithDiffusersDefaultsAsTheCliDoes() throws IOException {
        LocalFarm farm = farm();
        farm.drop("job.json", job("plain", "\"" + dataUri(picture) + "\"", ""));
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("plain"),
                () -> farm.events.of("plain").toString());
        // the CLI's defaults: DDIM, 75 steps, cfg 9, noise level 20; the job's seed derives from its id
        assertSameFile(cli("--seed", Long.toString(Defaults.seedFor("plain"))), output("plain", 0));
        String parameters = PngReader.readParameters(output("plain", 0)).orElseThrow();
        assertTrue(parameters.contains("Steps: 75, Sampler: DDIM, CFG scale: 9"), parameters);
    }

    @Test
    void renderFieldsOnAnImageUpscalerAreRefusedNamingTheField() {
        LocalFarm farm = farm();
        farm.drop("job.json", job("lanczos", "\"inputs/low.png\"", ", \"noiseLevel\": 30, \"steps\": 5")
                .replace(NAME, "Lanczos"));
        farm.runUntilIdle();

        JobEvent.Rejected rejected = farm.events.of("lanczos").stream().filter(JobEvent.Rejected.class::isInstance)
                .map(JobEvent.Rejected.class::cast).findFirst()
                .orElseThrow(() -> new AssertionError(farm.events.of("lanczos")));
        System.out.println(rejected.toJson());
        assertEquals("steps", rejected.errors().get(0).field().orElseThrow());
        assertEquals("steps = 5: expected no render fields with the image upscaler \"Lanczos\" (given: steps, "
                + "noiseLevel); only an SD x4 upscaler takes them (this farm has: " + NAME + ")",
                rejected.errors().get(0).message());
    }

    @Test
    void aScaleOtherThanTheModelsFailsNamingScale() throws IOException {
        LocalFarm farm = farm();
        farm.drop("job.json", job("half", "\"" + dataUri(picture) + "\"", ", \"scale\": 2, \"steps\": 1"));
        farm.runUntilIdle();

        JobEvent.Failed failed = farm.events.of("half").stream().filter(JobEvent.Failed.class::isInstance)
                .map(JobEvent.Failed.class::cast).findFirst().orElseThrow(() -> new AssertionError(farm.events.of("half")));
        assertEquals(RenderException.INPUT_INVALID, failed.error().code());
        assertEquals("scale = 2.0: the SD x4 upscaler \"" + NAME + "\" enlarges by its VAE's factor; expected 4 (or no "
                + "scale)", failed.error().message());
    }

    @Test
    void theCatalogListsItAsAnUpscalerButNoHiresOne() {
        UpscalerCatalog catalog = new UpscalerCatalog(TestPlugins.plugins()::upscalers,
                new UpscalerDirectory(LocalFarm.upscalers(local)));
        assertEquals(List.of("Lanczos", "Nearest", NAME), catalog.names());
        assertEquals(List.of(NAME), catalog.sdUpscalerNames());
        assertEquals(List.of("Lanczos", "Nearest"), catalog.imageUpscalerNames());
        RenderException refused = org.junit.jupiter.api.Assertions.assertThrows(RenderException.class,
                () -> catalog.open("hrUpscaler", NAME, new dev.diffarm.api.upscale.Tiling(0, 0,
                        dev.diffarm.api.upscale.TileLayout.GRID)));
        assertEquals("hrUpscaler = \"" + NAME + "\": an SD x4 upscaler runs as an upscale job's upscaler only; "
                + "expected an image upscaler: Lanczos, Nearest", refused.getMessage());
    }

    private LocalFarm farm() {
        OutputStore store = new LocalOutputStore(local.resolve("outputs"));
        return new LocalFarm(local, tiny.models(), local.resolve("loras"),
                tiny.renderer(local.resolve("loras"), local.resolve("embeddings"), InputPictures.from(store)), store);
    }

    private static String job(String id, String images, String more) {
        return "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"upscale\", \"id\": \"" + id + "\", \"upscaler\": \""
                + NAME + "\", \"images\": [" + images + "]" + more + "}";
    }

    private static String dataUri(Path png) throws IOException {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png));
    }

    private Path output(String id, int task) {
        return local.resolve(String.format("outputs/jobs/%s/t%04d.png", id, task));
    }

    /** The CLI's {@code upscale --upscaler DIR} of the picture, DIR the folder the farm has (infotext names it). */
    private Path cli(String... options) {
        Path out = local.resolve("cli-upscale-" + System.nanoTime() + ".png");
        List<String> args = new ArrayList<>(List.of("upscale", "--upscaler",
                LocalFarm.upscalers(local).resolve(NAME).toString(), "--in",
                picture.toString(), "--out", out.toString()));
        args.addAll(List.of(options));
        CliAndDaemonParityTest.runCli(args.toArray(String[]::new));
        return out;
    }

    private static void assertSameFile(Path cli, Path daemon) throws IOException {
        System.out.println("daemon parameters: " + PngReader.readParameters(daemon).orElseThrow().replace("\n", " | "));
        assertArrayEquals(Files.readAllBytes(cli), Files.readAllBytes(daemon), "the CLI's PNG and the job's, byte for byte");
    }
}

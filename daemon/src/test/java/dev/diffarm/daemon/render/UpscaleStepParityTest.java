package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.JobEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The upscale step of render jobs and campaigns: each task's stored PNG is, byte for byte, what the CLI's
 * {@code render} followed by its {@code upscale} of that file make in the same JVM (pixels, the render's parameters
 * and A1111's {@code Postprocess upscale by} and {@code Postprocess upscaler} fields), with a resampler and with the
 * reference fixture's ESRGAN (tiled as the job asks) after a hires pass; a campaign style's step replaces the
 * campaign's; the job's thumbnails and contact sheet are made from the larger PNG; an upscaler the farm lacks is
 * refused at intake listing the ones it has.
 */
class UpscaleStepParityTest {
    /** The reference fixture's tiny x4 RRDBNet, as Real-ESRGAN releases its models (the engine's test copy). */
    private static final Path ESRGAN_X4 = Path.of("../engine/src/test/resources/sd-tiny/esrgan-x4-basicsr.pth");
    private static final String PROMPT = "a red sneaker on a table";
    private static final String JOB = "\"apiVersion\": \"diffarm/v1\", \"model\": \"tiny\", \"prompts\": [\"" + PROMPT
            + "\"], \"seeds\": [11], \"steps\": 4, \"cfg\": 6.0, \"sampler\": \"Euler a\"";

    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();

    @TempDir
    Path local;

    @Test
    void aLanczosStepIsTheClisRenderThenUpscale() throws IOException {
        LocalFarm farm = farm();
        farm.drop("job.json", "{" + JOB.replace("\"model\"", "\"id\": \"big\", \"model\"") + ", \"kind\": \"render\", "
                + "\"width\": 40, \"height\": 32, \"upscale\": {\"upscaler\": \"Lanczos\", \"scale\": 2.5}}");
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("big"),
                () -> farm.events.of("big").toString());
        Path rendered = cliRender("--width", "40", "--height", "32");
        Path cli = cliUpscale(rendered, "Lanczos", "--scale", "2.5");
        Path daemon = output("big", 0);
        assertSameFile(cli, daemon, ", Postprocess upscale by: 2.5, Postprocess upscaler: Lanczos");
        RgbImage stored = PngReader.readImage(daemon);
        assertEquals(List.of(96, 80), List.of(stored.width(), stored.height()), "int(40 * 2.5) = 100 down to 96; 80");
        assertTrue(PngReader.readParameters(daemon).orElseThrow().startsWith(
                PngReader.readParameters(rendered).orElseThrow() + ", Postprocess"), "the render's parameters kept");
    }

    @Test
    void anEsrganStepAfterAHiresPassIsTheClisRenderThenUpscaleTiled() throws IOException {
        Path model = esrganInUpscalersFolder();
        LocalFarm farm = farm();
        farm.drop("job.json", "{" + JOB.replace("\"model\"", "\"id\": \"sharp\", \"model\"") + ", \"kind\": \"render\", "
                + "\"width\": 32, \"height\": 32, \"enableHr\": true, \"hrScale\": 1.5, \"hrUpscaler\": \"Lanczos\", "
                + "\"denoisingStrength\": 0.5, \"upscale\": {\"upscaler\": \"esrgan-x4\", \"scale\": 2, \"tile\": 20, "
                + "\"tileOverlap\": 4}}");
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("sharp"),
                () -> farm.events.of("sharp").toString());
        Path rendered = cliRender("--width", "32", "--height", "32", "--hires-scale", "1.5", "--hires-upscaler",
                "Lanczos", "--denoising-strength", "0.5");
        Path cli = cliUpscale(rendered, model.toString(), "--scale", "2", "--tile", "20", "--tile-overlap", "4");
        assertSameFile(cli, output("sharp", 0), "Hires upscale: 1.5");
        assertTrue(PngReader.readParameters(cli).orElseThrow().endsWith(
                ", Postprocess upscale by: 2, Postprocess upscaler: esrgan-x4"));
        assertEquals(96, PngReader.readImage(output("sharp", 0)).width(), "32 * 1.5 = 48 after the hires pass, x2");
    }

    @Test
    void aStylesStepReplacesTheCampaignsAndTheGalleryShowsTheLargerImages() throws IOException {
        esrganInUpscalersFolder();
        LocalFarm farm = farm();
        farm.drop("campaign.json", "{" + JOB.replace("\"model\"", "\"id\": \"launch\", \"model\"")
                + ", \"kind\": \"campaign\", \"sizes\": [{\"width\": 40, \"height\": 32}], "
                + "\"upscale\": {\"upscaler\": \"Lanczos\", \"scale\": 2}, \"styles\": ["
                + "{\"name\": \"plain\", \"template\": \"{prompt}\"}, "
                + "{\"name\": \"sharp\", \"template\": \"photo of {prompt}\", \"upscale\": {\"upscaler\": \"Nearest\", "
                + "\"scale\": 8}}]}");
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "task-completed", "completed"),
                farm.events.milestones("launch"), () -> farm.events.of("launch").toString());
        assertSameFile(cliUpscale(cliRender("--width", "40", "--height", "32"), "Lanczos", "--scale", "2"),
                output("launch", 0), "Postprocess upscaler: Lanczos");
        assertSameFile(cliUpscale(cliRender("--width", "40", "--height", "32", "--prompt", "photo of " + PROMPT),
                "Nearest", "--scale", "8"), output("launch", 1), "Postprocess upscale by: 8, Postprocess upscaler: Nearest");
        assertEquals(320, PngReader.readImage(output("launch", 1)).width());
        for (String key : List.of("jobs/launch/thumbs/t0000.png", "jobs/launch/thumbs/t0001.png",
                "jobs/launch/contact-sheet-0001.png", "jobs/launch/index.html")) {
            assertTrue(farm.store.exists(key), key + " is stored");
        }
        Path thumbnail = local.resolve("outputs/jobs/launch/thumbs/t0001.png");
        assertEquals(List.of(256, 205), List.of(PngReader.readImage(thumbnail).width(),
                PngReader.readImage(thumbnail).height()), "the 320x256 image's thumbnail fits the 256 px square");
    }

    @Test
    void anUpscalerTheFarmLacksIsRefusedListingItsOnes() throws IOException {
        esrganInUpscalersFolder();
        LocalFarm farm = farm();
        farm.drop("job.json", "{" + JOB.replace("\"model\"", "\"id\": \"typo\", \"model\"") + ", \"kind\": \"render\", "
                + "\"upscale\": {\"upscaler\": \"4x-UltraSharp\"}}");
        farm.runUntilIdle();

        JobEvent.Rejected rejected = farm.events.of("typo").stream().filter(JobEvent.Rejected.class::isInstance)
                .map(JobEvent.Rejected.class::cast).findFirst().orElseThrow(() -> new AssertionError(farm.events.of("typo")));
        System.out.println(rejected.toJson());
        assertEquals("upscale.upscaler = \"4x-UltraSharp\": expected an upscaler this farm has: esrgan-x4, Lanczos, "
                + "Nearest", rejected.errors().get(0).message());
    }

    @Test
    void aRendererWithoutUpscaleStepsFailsTheTaskNamingTheField() {
        OutputStore store = new LocalOutputStore(local.resolve("outputs"));
        LocalFarm farm = new LocalFarm(local, tiny.models(), local.resolve("loras"), tiny.renderer(local.resolve("loras"),
                local.resolve("embeddings"), InputPictures.from(store)), store);
        farm.drop("job.json", "{" + JOB.replace("\"model\"", "\"id\": \"no-step\", \"model\"") + ", \"kind\": \"render\", "
                + "\"width\": 32, \"height\": 32, \"upscale\": {\"upscaler\": \"Lanczos\"}}");
        farm.runUntilIdle();

        JobEvent.Failed failed = farm.events.of("no-step").stream().filter(JobEvent.Failed.class::isInstance)
                .map(JobEvent.Failed.class::cast).findFirst().orElseThrow(() -> new AssertionError(farm.events.of("no-step")));
        assertEquals("upscale.upscaler = \"Lanczos\": this node runs no upscale steps (no upscalers are set up)",
                failed.error().message());
    }

    /** A farm whose renderer runs upscale steps with an upscaler cache of its own over the farm's upscalers. */
    private LocalFarm farm() {
        OutputStore store = new LocalOutputStore(local.resolve("outputs"));
        UpscalerCatalog upscalers = new UpscalerCatalog(() -> TestPlugins.plugins().upscalers(),
                new UpscalerDirectory(LocalFarm.upscalers(local)));
        EngineRenderer renderer = new EngineRenderer(tiny.cache(), TestPlugins.samplers(),
                new LoraDirectory(local.resolve("loras")), new EmbeddingDirectory(local.resolve("embeddings")),
                InputPictures.from(store), Optional.empty(), new ModeCatalogs(Optional.of(upscalers), Optional.empty()),
                Optional.of(new UpscalerCache(upscalers)));
        return new LocalFarm(local, tiny.models(), local.resolve("loras"), renderer, store);
    }

    private Path esrganInUpscalersFolder() throws IOException {
        Path model = LocalFarm.upscalers(local).resolve("esrgan-x4.pth");
        Files.createDirectories(model.getParent());
        Files.copy(ESRGAN_X4, model);
        return model;
    }

    private Path output(String id, int task) {
        return local.resolve(String.format("outputs/jobs/%s/t%04d.png", id, task));
    }

    /** The CLI's {@code render} with the job's model, prompt, seed, steps, cfg and sampler, and {@code options}. */
    private Path cliRender(String... options) {
        Path out = local.resolve("cli-render-" + System.nanoTime() + ".png");
        List<String> args = new ArrayList<>(List.of("render", "--model", tiny.models().resolve(TinyModel.NAME).toString(),
                "--seed", "11", "--steps", "4", "--cfg", "6", "--sampler", "Euler a", "--out", out.toString()));
        if (!List.of(options).contains("--prompt")) {
            args.addAll(List.of("--prompt", PROMPT));
        }
        args.addAll(List.of(options));
        CliAndDaemonParityTest.runCli(args.toArray(String[]::new));
        return out;
    }

    /** The CLI's {@code upscale} of the file {@code in}. */
    private Path cliUpscale(Path in, String upscaler, String... options) {
        Path out = local.resolve("cli-upscale-" + System.nanoTime() + ".png");
        List<String> args = new ArrayList<>(List.of("upscale", "--upscaler", upscaler, "--in", in.toString(), "--out",
                out.toString()));
        args.addAll(List.of(options));
        CliAndDaemonParityTest.runCli(args.toArray(String[]::new));
        return out;
    }

    private static void assertSameFile(Path cli, Path daemon, String expectedInParameters) throws IOException {
        String parameters = PngReader.readParameters(daemon).orElseThrow();
        System.out.println("daemon parameters: " + parameters.replace("\n", " | "));
        assertTrue(parameters.contains(expectedInParameters), parameters);
        assertEquals(PngReader.readParameters(cli).orElseThrow(), parameters, "the PNG parameters text");
        float[] cliPixels = PngReader.readImage(cli).chw();
        float[] daemonPixels = PngReader.readImage(daemon).chw();
        assertArrayEquals(cliPixels, daemonPixels, "the pixels");
        System.out.printf("CLI render+upscale vs daemon step: %d channel values, identical; files %d bytes%n",
                cliPixels.length, Files.size(daemon));
        assertArrayEquals(Files.readAllBytes(cli), Files.readAllBytes(daemon), "the PNG file, byte for byte");
    }
}

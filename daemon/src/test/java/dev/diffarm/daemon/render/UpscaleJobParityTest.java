package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.JobEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Upscale jobs: each picture's PNG is the CLI's {@code upscale} output for the same picture and settings, byte for
 * byte (pixels, the source's generation parameters and A1111's postprocessing fields), with an ESRGAN model from the
 * farm's upscalers folder (tiled as A1111 tiles) and with a resampler; a job delivered again skips what it stored; an
 * unknown upscaler is refused listing the known ones; a picture too large to upscale fails naming it.
 */
class UpscaleJobParityTest {
    /** The reference fixture's tiny x4 RRDBNet, as Real-ESRGAN releases its models (the engine's test copy). */
    private static final Path ESRGAN_X4 = Path.of("../engine/src/test/resources/sd-tiny/esrgan-x4-basicsr.pth");
    private static final String SOURCE_PARAMETERS = "a red sneaker on a table\nSteps: 4, Sampler: Euler a, Seed: 11";

    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();

    @TempDir
    static Path pictures;
    private static Path picture;
    private static Path plain;

    @TempDir
    Path local;

    @BeforeAll
    static void pictures() throws IOException {
        picture = picture(pictures.resolve("render.png"), 20, 24, SOURCE_PARAMETERS);
        plain = picture(pictures.resolve("plain.png"), 16, 12, "");
    }

    @Test
    void anEsrganUpscaleJobIsTheClisUpscaleByteForByte() throws IOException {
        LocalFarm farm = farm();
        Path model = LocalFarm.upscalers(local).resolve("esrgan-x4.pth");
        Files.createDirectories(model.getParent());
        Files.copy(ESRGAN_X4, model);
        farm.store.put("inputs/shop/render.png", Files.readAllBytes(picture), "image/png");
        String inline = "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(plain));
        farm.drop("job.json", job("big", "esrgan-x4", "\"inputs/shop/render.png\", \"" + inline + "\"",
                ", \"tile\": 12, \"tileOverlap\": 4"));
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "task-completed", "completed"), farm.events.milestones("big"),
                () -> farm.events.of("big").toString());
        assertSameFile(cli(model.toString(), picture, "--tile", "12", "--tile-overlap", "4"), output("big", 0),
                SOURCE_PARAMETERS + ", Postprocess upscale by: 4, Postprocess upscaler: esrgan-x4");
        assertSameFile(cli(model.toString(), plain, "--tile", "12", "--tile-overlap", "4"), output("big", 1),
                "Postprocess upscale by: 4, Postprocess upscaler: esrgan-x4");
        assertEquals(80, PngReader.readImage(output("big", 0)).width());

        farm.drop("again.json", job("big", "esrgan-x4", "\"inputs/shop/render.png\", \"" + inline + "\"",
                ", \"tile\": 12, \"tileOverlap\": 4"));
        farm.runUntilIdle();
        long skipped = farm.events.of("big").stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(JobEvent.TaskCompleted.class::cast).filter(JobEvent.TaskCompleted::skipped).count();
        assertEquals(2, skipped, "delivered again, both stored pictures are skipped");
    }

    @Test
    void aResamplerUpscaleJobIsTheClisUpscale() throws IOException {
        LocalFarm farm = farm();
        farm.store.put("inputs/render.png", Files.readAllBytes(picture), "image/png");
        farm.drop("job.json", job("lanczos", "Lanczos", "\"inputs/render.png\"", ", \"scale\": 2.5"));
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("lanczos"),
                () -> farm.events.of("lanczos").toString());
        assertSameFile(cli("Lanczos", picture, "--scale", "2.5"), output("lanczos", 0),
                SOURCE_PARAMETERS + ", Postprocess upscale by: 2.5, Postprocess upscaler: Lanczos");
    }

    @Test
    void anUnknownUpscalerIsRefusedListingTheKnownOnes() throws IOException {
        LocalFarm farm = farm();
        Files.createDirectories(LocalFarm.upscalers(local));
        Files.copy(ESRGAN_X4, LocalFarm.upscalers(local).resolve("4x-UltraSharp.pth"));
        farm.drop("job.json", job("typo", "4x-Ultrasharp", "\"inputs/render.png\"", ""));
        farm.runUntilIdle();

        JobEvent.Rejected rejected = farm.events.of("typo").stream().filter(JobEvent.Rejected.class::isInstance)
                .map(JobEvent.Rejected.class::cast).findFirst().orElseThrow(() -> new AssertionError(farm.events.of("typo")));
        System.out.println(rejected.toJson());
        assertEquals("upscaler", rejected.errors().get(0).field().orElseThrow());
        assertEquals("upscaler = \"4x-Ultrasharp\": expected an upscaler this farm has: 4x-UltraSharp, Lanczos, Nearest",
                rejected.errors().get(0).message());
    }

    @Test
    void aPictureTooLargeToUpscaleFailsNamingIt() throws IOException {
        LocalFarm farm = farm();
        farm.store.put("inputs/banner.png", Files.readAllBytes(picture(pictures.resolve("banner.png"), 2100, 8, "")),
                "image/png");
        farm.drop("job.json", job("banner", "Nearest", "\"inputs/render.png\", \"inputs/banner.png\"", ", \"scale\": 8"));
        farm.store.put("inputs/render.png", Files.readAllBytes(picture), "image/png");
        farm.runUntilIdle();

        JobEvent.Failed failed = farm.events.of("banner").stream().filter(JobEvent.Failed.class::isInstance)
                .map(JobEvent.Failed.class::cast).findFirst().orElseThrow(() -> new AssertionError(farm.events.of("banner")));
        System.out.println(failed.toJson());
        assertEquals("t0001", failed.taskId().orElseThrow());
        assertEquals("images[1] is 2100x8: at scale 8.0 it would become 16800x64, expected at most 16384 px on a side",
                failed.error().message());
        assertTrue(Files.exists(output("banner", 0)), "the picture before it is stored");
    }

    private LocalFarm farm() {
        OutputStore store = new LocalOutputStore(local.resolve("outputs"));
        return new LocalFarm(local, tiny.models(), local.resolve("loras"),
                tiny.renderer(local.resolve("loras"), local.resolve("embeddings"), InputPictures.from(store)), store);
    }

    private static String job(String id, String upscaler, String images, String more) {
        return "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"upscale\", \"id\": \"" + id + "\", \"upscaler\": \""
                + upscaler + "\", \"images\": [" + images + "]" + more + "}";
    }

    private Path output(String id, int task) {
        return local.resolve(String.format("outputs/jobs/%s/t%04d.png", id, task));
    }

    /** The CLI's {@code upscale} of {@code in}. */
    private Path cli(String upscaler, Path in, String... options) {
        Path out = local.resolve("cli-upscale-" + System.nanoTime() + ".png");
        List<String> args = new java.util.ArrayList<>(List.of("upscale", "--upscaler", upscaler, "--in", in.toString(),
                "--out", out.toString()));
        args.addAll(List.of(options));
        CliAndDaemonParityTest.runCli(args.toArray(String[]::new));
        return out;
    }

    private static void assertSameFile(Path cli, Path daemon, String parameters) throws IOException {
        System.out.println("daemon parameters: " + PngReader.readParameters(daemon).orElseThrow().replace("\n", " | "));
        assertEquals(parameters, PngReader.readParameters(daemon).orElseThrow());
        assertArrayEquals(Files.readAllBytes(cli), Files.readAllBytes(daemon), "the CLI's PNG and the job's, byte for byte");
    }

    private static Path picture(Path file, int width, int height, String parameters) throws IOException {
        float[] chw = new float[3 * width * height];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    chw[(c * height + y) * width + x] = Math.round((x * 9 + y * 5 + c * 70) % 256) / 255f;
                }
            }
        }
        PngWriter.write(new RgbImage(width, height, chw), parameters, file);
        return file;
    }
}

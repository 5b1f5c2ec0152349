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
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.pipeline.LatentUpscaler;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.ParseResult;
import dev.diffarm.farm.config.ValidationError;
import dev.diffarm.farm.config.Limits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * img2img, inpainting, outpainting and the hires fix as job fields: each job gives the PNG the CLI's mode command
 * gives for the same request, pixel for pixel and with the same {@code parameters} text ({@code Denoising strength},
 * {@code Mask blur}, {@code Hires upscale}, ...); pictures come inline or from the store under {@code inputs/}; a
 * campaign's two styles each start from their own picture; a missing picture or a mask of another size fails the task
 * naming the field.
 */
class ModeJobsParityTest {
    private static final String PROMPT = "a red sneaker on a table";
    private static final String CONTROLNET = "tiny-control";
    private static final String JOB = "\"apiVersion\": \"diffarm/v1\", \"model\": \"tiny\", \"prompts\": [\"" + PROMPT
            + "\"], \"seeds\": [11], \"steps\": 4, \"cfg\": 6.0, \"sampler\": \"Euler a\"";

    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();

    @TempDir
    static Path pictures;
    private static Path controlNets;
    private static Path picture;
    private static Path wide;
    private static Path mask;
    private static Path smallMask;

    @TempDir
    Path local;

    @BeforeAll
    static void pictures() throws IOException {
        picture = picture(pictures.resolve("picture.png"), 32, 32, (x, y, c) -> (x * 7 + y * 3 + c * 50) % 256 / 255f);
        wide = picture(pictures.resolve("wide.png"), 48, 32, (x, y, c) -> (x * 5 + c * 80) % 256 / 255f);
        mask = picture(pictures.resolve("mask.png"), 32, 32, (x, y, c) -> x >= 8 && x < 24 && y >= 10 && y < 22 ? 1f : 0f);
        smallMask = picture(pictures.resolve("small-mask.png"), 16, 16, (x, y, c) -> 1f);
        controlNets = TinyModel.controlNetsDir(pictures.resolve("controlnet"), CONTROLNET);
    }

    @Test
    void anImg2imgJobWithAnInlinePictureIsTheClisImg2img() throws IOException {
        Path daemon = runJob("img2img", "\"kind\": \"render\", \"width\": 32, \"height\": 32, \"initImage\": \""
                + dataUri(wide) + "\", \"resizeMode\": \"crop-and-resize\", \"denoisingStrength\": 0.6");
        Path cli = cli("img2img", "--init-image", wide.toString(), "--resize-mode", "Crop and resize", "--strength",
                "0.6", "--width", "32", "--height", "32");

        assertSamePng(cli, daemon, "Denoising strength: 0.6");
    }

    @Test
    void anInpaintJobWithStoredPicturesIsTheClisInpaint() throws IOException {
        Path daemon = runJob("inpaint", "\"kind\": \"render\", \"width\": 32, \"height\": 32, "
                + "\"initImage\": \"inputs/shop/picture.png\", \"mask\": \"inputs/shop/mask.png\", \"maskBlur\": 2, "
                + "\"inpaintingFill\": \"latent-noise\", \"inpaintingMaskInvert\": true, \"denoisingStrength\": 0.8");
        Path cli = cli("inpaint", "--init-image", picture.toString(), "--mask", mask.toString(), "--mask-blur", "2",
                "--masked-content", "latent noise", "--invert-mask", "--strength", "0.8", "--width", "32",
                "--height", "32");

        assertSamePng(cli, daemon, "Mask blur: 2");
    }

    @Test
    void anOnlyMaskedInpaintJobIsTheClisOnlyMaskedInpaint() throws IOException {
        Path daemon = runJob("only-masked", "\"kind\": \"render\", \"width\": 32, \"height\": 32, "
                + "\"initImage\": \"" + dataUri(picture) + "\", \"mask\": \"" + dataUri(mask) + "\", \"maskBlur\": 0, "
                + "\"inpaintFullRes\": true, \"inpaintFullResPadding\": 4");
        Path cli = cli("inpaint", "--init-image", picture.toString(), "--mask", mask.toString(), "--mask-blur", "0",
                "--inpaint-only-masked", "--padding", "4", "--width", "32", "--height", "32");

        assertSamePng(cli, daemon, "Denoising strength: 0.75");
    }

    @Test
    void anOutpaintJobIsTheClisOutpaint() throws IOException {
        Path daemon = runJob("outpaint", "\"kind\": \"render\", \"width\": 32, \"height\": 32, \"initImage\": \""
                + dataUri(picture) + "\", \"outpaint\": {\"left\": 8, \"right\": 8, \"top\": 0, \"bottom\": 8}");
        Path cli = cli("outpaint", "--init-image", picture.toString(), "--extend", "8,8,0,8");

        assertSamePng(cli, daemon, "Size: 48x40");
    }

    @Test
    void aHiresJobIsTheClisRenderWithAHiresPass() throws IOException {
        Path daemon = runJob("hires", "\"kind\": \"render\", \"width\": 32, \"height\": 32, \"enableHr\": true, "
                + "\"hrScale\": 1.5, \"hrUpscaler\": \"Latent (nearest)\", \"hrSecondPassSteps\": 3, "
                + "\"denoisingStrength\": 0.6");
        Path cli = cli("render", "--width", "32", "--height", "32", "--hires-scale", "1.5", "--hires-upscaler",
                "Latent (nearest)", "--hires-steps", "3", "--denoising-strength", "0.6");

        assertSamePng(cli, daemon, "Hires upscale: 1.5, Hires steps: 3, Hires upscaler: Latent (nearest)");
    }

    @Test
    void aControlNetJobIsTheClisRenderWithAUnit() throws IOException {
        Path daemon = runJob("canny", "\"kind\": \"render\", \"width\": 32, \"height\": 32, \"controlnets\": [{"
                + "\"model\": \"" + CONTROLNET + "\", \"image\": \"inputs/shop/picture.png\", \"module\": \"canny\", "
                + "\"weight\": 0.8, \"guidanceEnd\": 0.75, \"thresholdA\": 50, \"thresholdB\": 150}]");
        Path cli = cli("render", "--width", "32", "--height", "32", "--controlnet", controlNet() + ":0.8:0:0.75",
                "--control-image", picture.toString(), "--control-preprocessor", "canny", "--canny-low", "50",
                "--canny-high", "150");

        assertSamePng(cli, daemon, "ControlNet 0: \"Module: canny, Model: " + CONTROLNET + " [");
        assertTrue(PngReader.readParameters(daemon).orElseThrow().contains("Weight: 0.8, Resize Mode: Crop and Resize, "
                + "Low Vram: False, Processor Res: 32, Threshold A: 50, Threshold B: 150, Guidance Start: 0, "
                + "Guidance End: 0.75"));
        assertEquals(List.of(Path.of(controlNet())), tiny.cache().controlNets().loaded(),
                "the worker keeps the ControlNet loaded for its next render");
    }

    @Test
    void aCampaignStylesUnitsReplaceTheCampaigns() throws IOException {
        LocalFarm farm = farm();
        farm.store.put("inputs/picture.png", Files.readAllBytes(picture), "image/png");
        farm.drop("campaign.json", "{" + JOB.replace("\"model\"", "\"id\": \"controlled\", \"model\"")
                + ", \"kind\": \"campaign\", \"sizes\": [{\"width\": 32, \"height\": 32}], \"controlnets\": [{"
                + "\"model\": \"" + CONTROLNET + "\", \"image\": \"" + dataUri(wide) + "\", \"weight\": 0.5, "
                + "\"resizeMode\": \"resize-and-fill\"}], \"styles\": [{\"name\": \"map\", \"template\": \"{prompt}\"}, "
                + "{\"name\": \"edges\", \"template\": \"line art of {prompt}\", \"enableHr\": true, \"hrScale\": 1.5, "
                + "\"controlnets\": [{\"model\": \"" + CONTROLNET + "\", \"image\": \"inputs/picture.png\", "
                + "\"module\": \"canny\", \"guidanceStart\": 0.25}]}]}");
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "task-completed", "completed"),
                farm.events.milestones("controlled"), () -> farm.events.of("controlled").toString());
        Path map = cli("render", "--width", "32", "--height", "32", "--controlnet", controlNet() + ":0.5",
                "--control-image", wide.toString(), "--control-resize-mode", "Resize and fill");
        assertSamePng(map, local.resolve("outputs/jobs/controlled/t0000.png"), "Weight: 0.5, Resize Mode: Resize and Fill");
        Path edges = cli("render", "--width", "32", "--height", "32", "--prompt", "line art of " + PROMPT,
                "--hires-scale", "1.5", "--controlnet", controlNet() + ":1:0.25:1", "--control-image",
                picture.toString(), "--control-preprocessor", "canny");
        assertSamePng(edges, local.resolve("outputs/jobs/controlled/t0001.png"), "Hires upscale: 1.5");
    }

    @Test
    void aUnitNamingNoControlNetOfTheNodeFailsTheTaskListingThem() {
        LocalFarm farm = farm();
        farm.drop("job.json", "{" + JOB.replace("\"model\"", "\"id\": \"no-net\", \"model\"") + ", \"kind\": \"render\", "
                + "\"width\": 32, \"height\": 32, \"controlnets\": [{\"model\": \"" + CONTROLNET + "\", \"image\": \""
                + "inputs/nowhere.png\"}, {\"model\": \"control_pose\", \"image\": \"inputs/nowhere.png\"}]}");
        farm.runUntilIdle();

        JobEvent.Failed failed = failure(farm, "no-net");
        assertEquals(RenderException.INPUT_UNAVAILABLE, failed.error().code());
        assertTrue(failed.error().message().startsWith("controlnets[0].image = \"inputs/nowhere.png\": no such object"),
                failed.error().message());
    }

    @Test
    void theFarmsCatalogRefusesUnknownControlNetsAndModulesAtIntake() {
        ParseResult result = new JobParser(new FarmCatalog(new ModelDirectory(tiny.models()), TestPlugins.samplers(),
                new LoraDirectory(local.resolve("loras")), Optional.empty(), Optional.empty(), Optional.of(controlNetCatalog())))
                .parse("{" + JOB.replace("\"model\"", "\"id\": \"x\", \"model\"") + ", \"kind\": \"render\", "
                        + "\"controlnets\": [{\"model\": \"control_pose\", \"image\": \"inputs/a.png\", "
                        + "\"module\": \"Canny\"}, {\"model\": \"" + CONTROLNET + "\", \"image\": \"inputs/a.png\", "
                        + "\"module\": \"openpose\"}]}");

        List<String> messages = ((ParseResult.Invalid) result).errors().stream().map(ValidationError::message).toList();
        System.out.println(messages);
        assertEquals(List.of("controlnets[0].model = \"control_pose\": expected a ControlNet this farm has: " + CONTROLNET,
                "controlnets[1].module = \"openpose\": expected a control preprocessor this farm has: canny, none"),
                messages);
    }

    @Test
    void aHiresJobWithAnUpscalerPluginIsTheClisRenderWithIt() throws IOException {
        Path daemon = runJob("hires-lanczos", "\"kind\": \"render\", \"width\": 32, \"height\": 32, \"enableHr\": true, "
                + "\"hrScale\": 2, \"hrUpscaler\": \"Lanczos\", \"denoisingStrength\": 0.5");
        Path cli = cli("render", "--width", "32", "--height", "32", "--hires-scale", "2", "--hires-upscaler", "Lanczos",
                "--denoising-strength", "0.5");

        assertSamePng(cli, daemon, "Hires upscale: 2, Hires upscaler: Lanczos");
    }

    @Test
    void anImg2imgCampaignStartsEachStyleFromItsOwnPicture() throws IOException {
        LocalFarm farm = farm();
        farm.store.put("inputs/picture.png", Files.readAllBytes(picture), "image/png");
        farm.drop("campaign.json", "{" + JOB.replace("\"model\"", "\"id\": \"spring\", \"model\"")
                + ", \"kind\": \"campaign\", \"sizes\": [{\"width\": 32, \"height\": 32}], "
                + "\"initImage\": \"inputs/picture.png\", \"denoisingStrength\": 0.5, \"styles\": ["
                + "{\"name\": \"same\", \"template\": \"{prompt}\"}, "
                + "{\"name\": \"wide\", \"template\": \"oil painting of {prompt}\", \"initImage\": \"" + dataUri(wide)
                + "\", \"resizeMode\": 2, \"denoisingStrength\": 0.7}]}");
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "task-completed", "completed"), farm.events.milestones("spring"));
        Path same = cli("img2img", "--init-image", picture.toString(), "--strength", "0.5");
        assertSamePng(same, local.resolve("outputs/jobs/spring/t0000.png"), "Denoising strength: 0.5");
        Path other = cli("img2img", "--init-image", wide.toString(), "--strength", "0.7", "--resize-mode",
                "Resize and fill", "--width", "32", "--height", "32", "--prompt", "oil painting of " + PROMPT);
        assertSamePng(other, local.resolve("outputs/jobs/spring/t0001.png"), "Denoising strength: 0.7");
    }

    @Test
    void aMissingPictureFailsTheTaskNamingTheFieldAndTheKey() {
        LocalFarm farm = farm();
        farm.drop("job.json", "{" + JOB.replace("\"model\"", "\"id\": \"gone\", \"model\"") + ", \"kind\": \"render\", "
                + "\"width\": 32, \"height\": 32, \"initImage\": \"inputs/nowhere.png\"}");
        farm.runUntilIdle();

        JobEvent.Failed failed = failure(farm, "gone");
        assertEquals(RenderException.INPUT_UNAVAILABLE, failed.error().code());
        assertTrue(failed.error().message().startsWith("initImage = \"inputs/nowhere.png\": no such object in the store"),
                failed.error().message());
    }

    @Test
    void aStoredMaskOfAnotherSizeFailsTheTaskNamingBothSizes() throws IOException {
        LocalFarm farm = farm();
        farm.store.put("inputs/small-mask.png", Files.readAllBytes(smallMask), "image/png");
        farm.drop("job.json", "{" + JOB.replace("\"model\"", "\"id\": \"misfit\", \"model\"") + ", \"kind\": \"render\", "
                + "\"width\": 32, \"height\": 32, \"initImage\": \"" + dataUri(picture) + "\", "
                + "\"mask\": \"inputs/small-mask.png\"}");
        farm.runUntilIdle();

        JobEvent.Failed failed = failure(farm, "misfit");
        assertEquals(RenderException.INPUT_INVALID, failed.error().code());
        assertTrue(failed.error().message().startsWith("mask 16x16: expected the init image's size 32x32 (mask = "
                + "\"inputs/small-mask.png\""), failed.error().message());
    }

    @Test
    void theFarmsHiresUpscalersAreTheEngines() {
        assertEquals(Arrays.stream(LatentUpscaler.values()).map(LatentUpscaler::label).toList(), Limits.HIRES_UPSCALERS);
    }

    /** The job's {@code failed} event, printed. */
    private static JobEvent.Failed failure(LocalFarm farm, String id) {
        JobEvent.Failed failed = farm.events.of(id).stream().filter(JobEvent.Failed.class::isInstance)
                .map(JobEvent.Failed.class::cast).findFirst().orElseThrow(() -> new AssertionError(farm.events.of(id)));
        System.out.println(failed.toJson());
        return failed;
    }

    /** Runs the job with {@code fields} through a local farm whose store holds the test pictures under inputs/shop/. */
    private Path runJob(String id, String fields) throws IOException {
        LocalFarm farm = farm();
        farm.store.put("inputs/shop/picture.png", Files.readAllBytes(picture), "image/png");
        farm.store.put("inputs/shop/mask.png", Files.readAllBytes(mask), "image/png");
        farm.drop("job.json", "{" + JOB.replace("\"model\"", "\"id\": \"" + id + "\", \"model\"") + ", " + fields + "}");
        farm.runUntilIdle();
        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones(id),
                () -> farm.events.of(id).toString());
        return local.resolve("outputs/jobs/" + id + "/t0000.png");
    }

    private LocalFarm farm() {
        OutputStore store = new LocalOutputStore(local.resolve("outputs"));
        return new LocalFarm(local, tiny.models(), local.resolve("loras"), tiny.renderer(local.resolve("loras"),
                local.resolve("embeddings"), InputPictures.from(store), new ModeCatalogs(Optional.of(new UpscalerCatalog(
                () -> TestPlugins.plugins().upscalers(), new UpscalerDirectory(local.resolve("upscalers")))),
                Optional.of(controlNetCatalog()))), store);
    }

    private static ControlNetCatalog controlNetCatalog() {
        return new ControlNetCatalog(new ControlNetDirectory(controlNets), () -> TestPlugins.plugins().preprocessors());
    }

    /** The tiny ControlNet as the node's folder holds it: the CLI names the same path, so the infotext is the same. */
    private static String controlNet() {
        return controlNets.resolve(CONTROLNET).toString();
    }

    /** The CLI's PNG for {@code command} and {@code options}, with the job's model, prompt, seed, steps, cfg and sampler. */
    private Path cli(String command, String... options) {
        Path out = local.resolve("cli-" + command + "-" + System.nanoTime() + ".png");
        List<String> args = new ArrayList<>(List.of(command, "--model", tiny.models().resolve(TinyModel.NAME).toString(),
                "--seed", "11", "--steps", "4", "--cfg", "6", "--sampler", "Euler a", "--out", out.toString()));
        List<String> given = List.of(options);
        if (!given.contains("--prompt")) {
            args.addAll(List.of("--prompt", PROMPT));
        }
        args.addAll(given);
        CliAndDaemonParityTest.runCli(args.toArray(String[]::new));
        return out;
    }

    private static void assertSamePng(Path cli, Path daemon, String expectedInParameters) throws IOException {
        String cliText = PngReader.readParameters(cli).orElseThrow();
        String daemonText = PngReader.readParameters(daemon).orElseThrow();
        System.out.println("CLI parameters:    " + cliText.replace("\n", " | "));
        System.out.println("daemon parameters: " + daemonText.replace("\n", " | "));
        assertTrue(cliText.contains(expectedInParameters), cliText);
        assertEquals(cliText, daemonText, "the PNG parameters text, field for field");
        float[] cliPixels = PngReader.readImage(cli).chw();
        float[] daemonPixels = PngReader.readImage(daemon).chw();
        System.out.printf("CLI vs daemon: %d channel values compared, %d differ%n", cliPixels.length,
                countDifferent(cliPixels, daemonPixels));
        assertArrayEquals(cliPixels, daemonPixels, "the pixels");
    }

    private static long countDifferent(float[] a, float[] b) {
        if (a.length != b.length) {
            return Math.max(a.length, b.length);
        }
        long different = 0;
        for (int i = 0; i < a.length; i++) {
            different += a[i] == b[i] ? 0 : 1;
        }
        return different;
    }

    private interface Channel {
        float value(int x, int y, int c);
    }

    private static Path picture(Path file, int width, int height, Channel channel) throws IOException {
        float[] chw = new float[3 * width * height];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                for (int x = 0; x < width; x++) {
                    chw[(c * height + y) * width + x] = channel.value(x, y, c);
                }
            }
        }
        PngWriter.write(new RgbImage(width, height, chw), "", file);
        return file;
    }

    private static String dataUri(Path png) throws IOException {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(Files.readAllBytes(png));
    }
}

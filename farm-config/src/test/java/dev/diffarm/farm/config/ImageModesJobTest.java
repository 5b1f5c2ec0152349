package dev.diffarm.farm.config;

import static dev.diffarm.farm.config.ModeJobs.CAMPAIGN;
import static dev.diffarm.farm.config.ModeJobs.RENDER;
import static dev.diffarm.farm.config.ModeJobs.SCHEMA;
import static dev.diffarm.farm.config.ModeJobs.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.farm.config.ValidationError.Code;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;
import java.util.zip.CRC32;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The image modes as job fields: read, written back, hashed, merged from styles, and refused naming the field. */
class ImageModesJobTest {
    private final JobParser parser = new JobParser();

    @Test
    void anInpaintingJobReadsEveryFieldAndWritesItBack() {
        String picture = TestPictures.png(64, 48);
        String mask = TestPictures.png(64, 48);
        RenderJob job = (RenderJob) parser.parse("{" + RENDER + ", \"width\": 64, \"height\": 48, \"initImage\": \""
                + picture + "\", \"resizeMode\": 1, \"denoisingStrength\": 0.6, \"mask\": \"" + mask + "\", "
                + "\"maskBlur\": 0, \"inpaintingMaskInvert\": true, \"inpaintingFill\": 2, \"inpaintFullRes\": true, "
                + "\"inpaintFullResPadding\": 8}").orElseThrow();

        InitImageSettings init = job.settings().modes().init().orElseThrow();
        assertEquals(InlineImage.parse(picture), init.image());
        assertEquals(InitResizeMode.CROP_AND_RESIZE, init.resizeMode());
        assertEquals(0.6, init.denoisingStrength());
        assertEquals(new MaskSettings(InlineImage.parse(mask), 0, true, InpaintingFill.LATENT_NOISE, OptionalInt.of(8)),
                init.mask().orElseThrow());
        assertEquals(64, ((InlineImage) init.image()).width());
        assertEquals(48, ((InlineImage) init.image()).height());
        assertEquals(job, parser.parse(job.toJson()).orElseThrow());
        assertEquals(java.util.Set.of(), SCHEMA.validate(read(job.toJson())));
    }

    @Test
    void fieldsLeftOutTakeTheModesDefaults() {
        RenderJob img2img = render(", \"initImage\": \"inputs/a/b.png\", \"mask\": \"inputs/a/m.png\"");
        InitImageSettings init = img2img.settings().modes().init().orElseThrow();
        assertEquals(new InitImageSettings(new StoredImage("inputs/a/b.png"), InitResizeMode.JUST_RESIZE, 0.75,
                Optional.of(new MaskSettings(new StoredImage("inputs/a/m.png"), 4, false, InpaintingFill.ORIGINAL,
                        OptionalInt.empty())), Optional.empty()), init);

        RenderJob outpaint = render(", \"initImage\": \"inputs/b.png\", \"outpaint\": {\"left\": 64}");
        assertEquals(1.0, outpaint.settings().modes().init().orElseThrow().denoisingStrength());
        assertEquals(new OutpaintSides(64, 0, 0, 0), outpaint.settings().modes().init().orElseThrow().outpaint().orElseThrow());

        RenderJob hires = render(", \"enableHr\": true");
        assertEquals(new HiresSettings(2.0, "Latent", 0, 0.7, HiresStepsRule.A1111),
                hires.settings().modes().hires().orElseThrow());
        assertEquals(new HiresSettings(1.5, "Latent (nearest)", 5, 0.5, HiresStepsRule.DIFFUSERS),
                render(", \"enableHr\": true, \"hrScale\": 1.5, \"hrUpscaler\": \"Latent (nearest)\", "
                        + "\"hrSecondPassSteps\": 5, \"hrStepsRule\": \"diffusers\", \"denoisingStrength\": 0.5")
                        .settings().modes().hires().orElseThrow());
        assertTrue(render("").settings().modes().isNone());
    }

    @Test
    void aTxt2imgTaskKeepsItsHashAndEachModeChangesIt() {
        // The hash main gave this task before the modes existed (PlanTest computes it outside Java).
        RenderSettings settings = RenderSettings.defaults("sd15").withNegativePrompt("blurry")
                .withLoras(List.of(new Lora("grain", 0.5)));
        TaskParameters txt2img = new TaskParameters("a cat in a hat", 42, new Size(512, 768), settings);
        assertEquals("b6d880e063ac77c2b3dedc459c2babee72d4db8a25081e355c8606d397146673", txt2img.hash());
        assertEquals(txt2img.hash(), new TaskParameters("a cat in a hat", 42, new Size(512, 768),
                settings.withModes(ImageModes.NONE)).hash());

        InitImageSettings init = InitImageSettings.img2img(new StoredImage("inputs/cat.png"), 0.5);
        TaskParameters img2img = new TaskParameters("a cat in a hat", 42, new Size(512, 768),
                settings.withModes(ImageModes.of(init)));
        TaskParameters stronger = new TaskParameters("a cat in a hat", 42, new Size(512, 768),
                settings.withModes(ImageModes.of(InitImageSettings.img2img(new StoredImage("inputs/cat.png"), 0.6))));
        TaskParameters hires = new TaskParameters("a cat in a hat", 42, new Size(512, 768),
                settings.withModes(ImageModes.of(HiresSettings.of(1.5))));
        assertEquals(4, Stream.of(txt2img, img2img, stronger, hires).map(TaskParameters::hash).distinct().count());
        assertTrue(img2img.toJson().contains("\"initImage\":\"inputs/cat.png\""), img2img.toJson());
        assertTrue(hires.toJson().contains("\"enableHr\":true,") && hires.toJson().contains("\"hrScale\":1.5,"),
                hires.toJson());
    }

    @Test
    void anInlinePictureEntersTheHashByItsDigestNotItsBytes() {
        InlineImage a = TestPictures.inline(16, 16);
        InlineImage b = TestPictures.inline(16, 24);
        TaskParameters withA = new TaskParameters("p", 1, Defaults.SIZE, RenderSettings.defaults("m")
                .withModes(ImageModes.of(InitImageSettings.img2img(a, 0.5))));
        TaskParameters withB = new TaskParameters("p", 1, Defaults.SIZE, RenderSettings.defaults("m")
                .withModes(ImageModes.of(InitImageSettings.img2img(b, 0.5))));

        assertTrue(withA.toJson().contains("\"initImage\":\"sha256:" + Sha256.hex(a.bytes()) + "\""), withA.toJson());
        assertFalse(withA.toJson().contains("base64"));
        assertNotEquals(withA.hash(), withB.hash());
    }

    @Test
    void aCampaignsStylesCarryTheirOwnInitImagesAndHiresPasses() {
        Campaign campaign = (Campaign) parser.parse("{" + CAMPAIGN + ", \"seeds\": [1, 2], \"denoisingStrength\": 0.5, "
                + "\"initImage\": \"inputs/base.png\", \"styles\": ["
                + "{\"name\": \"as-is\", \"template\": \"{prompt}\"},"
                + "{\"name\": \"other\", \"template\": \"oil, {prompt}\", \"initImage\": \"inputs/other.png\", "
                + "\"resizeMode\": \"resize-and-fill\", \"denoisingStrength\": 0.3}]}").orElseThrow();
        List<TaskSpec> tasks = campaign.plan().tasks();

        assertEquals(4, tasks.size());
        assertEquals(InitImageSettings.img2img(new StoredImage("inputs/base.png"), 0.5),
                tasks.get(0).parameters().settings().modes().init().orElseThrow());
        assertEquals(new InitImageSettings(new StoredImage("inputs/other.png"), InitResizeMode.RESIZE_AND_FILL, 0.3,
                Optional.empty(), Optional.empty()), tasks.get(3).parameters().settings().modes().init().orElseThrow());
        assertEquals(campaign, parser.parse(campaign.toJson()).orElseThrow());

        Campaign hires = (Campaign) parser.parse("{" + CAMPAIGN + ", \"styles\": [{\"name\": \"plain\", \"template\": "
                + "\"{prompt}\"}, {\"name\": \"big\", \"template\": \"{prompt}\", \"enableHr\": true, \"hrScale\": 1.5}]}")
                .orElseThrow();
        assertTrue(hires.plan().tasks().get(0).parameters().settings().modes().isNone());
        assertEquals(HiresSettings.of(1.5), hires.plan().tasks().get(1).parameters().settings().modes().hires().orElseThrow());
    }

    /** Documents with one problem each: JSON, code, field, message, and whether the JSON Schema can tell too. */
    static Stream<Arguments> oneProblem() {
        String png = TestPictures.png(64, 64);
        return Stream.of(
                bad(", \"initImage\": \"" + png + "\", \"mask\": \"" + TestPictures.png(64, 32) + "\"", Code.INVALID_VALUE,
                        "mask", "mask: a 64x32 mask: expected the initImage's size 64x64", false),
                bad(", \"initImage\": \"inputs/a.png\", \"denoisingStrength\": 1.5", Code.INVALID_VALUE,
                        "denoisingStrength", "denoisingStrength = 1.5: expected a number in (0, 1]: above 0, since 0 "
                                + "repaints nothing", true),
                bad(", \"initImage\": \"inputs/a.png\", \"denoisingStrength\": 0", Code.INVALID_VALUE,
                        "denoisingStrength", "denoisingStrength = 0: expected a number in (0, 1]: above 0, since 0 "
                                + "repaints nothing", true),
                bad(", \"enableHr\": true, \"hrUpscaler\": \"models/x.pth\"", Code.INVALID_VALUE, "hrUpscaler",
                        "hrUpscaler = \"models/x.pth\": expected a hires upscaler: \"Latent\", \"Latent (nearest)\", "
                                + "\"Latent (nearest-exact)\", or an upscaler's name (GET /plugins, an upscaler model "
                                + "file's name)", true),
                bad(", \"mask\": \"inputs/m.png\"", Code.INVALID_VALUE, "mask",
                        "mask = \"inputs/m.png\": expected this field only together with an initImage", true),
                bad(", \"initImage\": \"models/sd15.safetensors\"", Code.INVALID_VALUE, "initImage", null, true),
                bad(", \"initImage\": \"inputs/../secrets.png\"", Code.INVALID_VALUE, "initImage", null, true),
                bad(", \"initImage\": \"data:image/png;base64,iVBOR*w0K\"", Code.INVALID_VALUE, "initImage",
                        "initImage = \"data:image/png;base64,iVBOR*w0K\": undecodable base64 (Illegal base64 character "
                                + "2a): expected the picture's bytes in base64", true),
                bad(", \"initImage\": \"data:image/png;base64,aGVsbG8gd29ybGQ=\"", Code.INVALID_VALUE, "initImage",
                        "initImage = \"data:image/png;base64,aGVsbG8gd29ybGQ=\": bytes that are no PNG picture: "
                                + "expected a whole PNG file", false),
                bad(", \"initImage\": \"data:image/gif;base64,R0lGODlh\"", Code.INVALID_VALUE, "initImage", null, true),
                bad(", \"initImage\": \"" + pngHeader(5000, 4000) + "\"", Code.INVALID_VALUE, "initImage",
                        "initImage = \"" + pngHeader(5000, 4000) + "\": a picture of 5000x4000 pixels: "
                                + "expected at most 16777216 pixels", false),
                bad(", \"initImage\": \"inputs/a.png\", \"maskBlur\": 8", Code.INVALID_VALUE, "maskBlur",
                        "maskBlur = 8: expected this field only together with a mask", true),
                bad(", \"initImage\": \"inputs/a.png\", \"mask\": \"inputs/m.png\", \"inpaintFullResPadding\": 8",
                        Code.INVALID_VALUE, "inpaintFullResPadding", "inpaintFullResPadding = 8: expected this field "
                                + "only together with a mask and \"inpaintFullRes\": true", true),
                bad(", \"initImage\": \"inputs/a.png\", \"mask\": \"inputs/m.png\", \"inpaintingFill\": \"noise\"",
                        Code.INVALID_VALUE, "inpaintingFill", "inpaintingFill = \"noise\": expected \"fill\", \"original\", "
                                + "\"latent-noise\" or \"latent-nothing\" (or A1111's 0..3)", true),
                bad(", \"initImage\": \"inputs/a.png\", \"resizeMode\": 3", Code.INVALID_VALUE, "resizeMode",
                        "resizeMode = 3: expected \"just-resize\", \"crop-and-resize\" or \"resize-and-fill\" (or A1111's "
                                + "0, 1, 2)", true),
                bad(", \"initImage\": \"inputs/a.png\", \"enableHr\": true", Code.INVALID_VALUE, "enableHr",
                        "enableHr = true: expected no enableHr with an initImage: as in A1111, the hires fix follows "
                                + "txt2img", true),
                bad(", \"initImage\": \"inputs/a.png\", \"mask\": \"inputs/m.png\", \"outpaint\": {\"left\": 8}",
                        Code.INVALID_VALUE, "outpaint", "outpaint = {\"left\":8}: expected no mask with outpaint: "
                                + "outpainting inpaints exactly the new area", true),
                bad(", \"initImage\": \"inputs/a.png\", \"outpaint\": {\"left\": 0}", Code.INVALID_VALUE, "outpaint",
                        "outpaint = {\"left\":0}: expected at least one side above 0", true),
                bad(", \"initImage\": \"inputs/a.png\", \"outpaint\": {\"left\": 4}", Code.INVALID_VALUE, "outpaint",
                        "outpaint = {\"left\":4,\"right\":0,\"top\":0,\"bottom\":0}: expected an image of 516x512 "
                                + "(from 512x512) with both sides a multiple of 8 in 8..4096 pixels", false),
                bad(", \"hrScale\": 1.5", Code.INVALID_VALUE, "hrScale",
                        "hrScale = 1.5: expected this field only together with \"enableHr\": true", true),
                bad(", \"enableHr\": true, \"hrScale\": 1.3", Code.INVALID_VALUE, "hrScale",
                        "hrScale = 1.3: expected an image of 665x665 (from 512x512) with both sides a multiple of 8 "
                                + "in 8..4096 pixels", false),
                bad(", \"enableHr\": true, \"hrScale\": 9", Code.INVALID_VALUE, "hrScale",
                        "hrScale = 9: expected a number in 1..8", true),
                bad(", \"denoisingStrength\": 0.5", Code.INVALID_VALUE, "denoisingStrength",
                        "denoisingStrength = 0.5: expected this field only together with an initImage or "
                                + "\"enableHr\": true", true));
    }

    @ParameterizedTest
    @MethodSource("oneProblem")
    void eachBadModeFieldGetsOneErrorNamingIt(String json, Code code, String field, String message, boolean schemaTells) {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse(json));

        assertEquals(1, invalid.errors().size(), () -> invalid.errors().toString());
        ValidationError error = invalid.errors().get(0);
        System.out.println(error.message().length() > 300 ? error.message().substring(0, 300) + "..." : error.message());
        assertEquals(code, error.code(), error.message());
        assertEquals(Optional.of(field), error.field(), error.message());
        if (message != null) {
            assertEquals(message, error.message());
        }
        assertEquals(schemaTells, !SCHEMA.validate(read(json)).isEmpty(), json);
    }

    @Test
    void aHiresUpscalerIsALatentOneOrAnUpscalerOfTheFarm() {
        JobParser checked = new JobParser(Catalog.of(java.util.Map.of(Catalog.Kind.UPSCALER,
                List.of("Lanczos", "Nearest", "RealESRGAN_x4plus"))));
        RenderJob lanczos = (RenderJob) checked.parse("{" + RENDER + ", \"enableHr\": true, \"hrUpscaler\": \"Lanczos\"}")
                .orElseThrow();
        assertEquals("Lanczos", lanczos.settings().modes().hires().orElseThrow().upscaler());

        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, checked.parse("{" + CAMPAIGN
                + ", \"enableHr\": true, \"hrUpscaler\": \"ESRGAN_4x\", \"styles\": [{\"name\": \"s\", "
                + "\"template\": \"{prompt}\", \"enableHr\": true, \"hrUpscaler\": \"Latent (nearest)\"}, {\"name\": \"t\", "
                + "\"template\": \"{prompt}\", \"enableHr\": true, \"hrUpscaler\": \"4x-UltraSharp\"}]}"));
        String known = ": expected a hires upscaler this farm has: Latent, Latent (nearest), Latent (nearest-exact), "
                + "Lanczos, Nearest, RealESRGAN_x4plus";
        assertEquals(List.of("hrUpscaler = \"ESRGAN_4x\"" + known, "styles[1].hrUpscaler = \"4x-UltraSharp\"" + known),
                invalid.errors().stream().map(ValidationError::message).toList());
        assertEquals(Code.UNKNOWN_NAME, invalid.errors().get(0).code());
    }

    @Test
    void aStylesInitImageMayNotMeetTheCampaignsHiresPass() {
        assertEquals(List.of("styles[1].initImage = \"inputs/x.png\": expected no enableHr with an initImage: as in "
                + "A1111, the hires fix follows txt2img (the job's settings have the other)"), errors(", \"enableHr\": true, "
                + "\"styles\": [{\"name\": \"a\", \"template\": \"{prompt}\"}, {\"name\": \"b\", \"template\": \"{prompt}\", "
                + "\"initImage\": \"inputs/x.png\"}]"));
    }

    @Test
    void aHiresPassIsCheckedAtEverySizeOfACampaign() {
        assertEquals(List.of("hrScale = 1.5: expected an image of 780x768 (from 520x512) with both sides a multiple of "
                + "8 in 8..4096 pixels"), errors(", \"enableHr\": true, \"hrScale\": 1.5, \"sizes\": [{\"width\": 512, "
                + "\"height\": 512}, {\"width\": 520, \"height\": 512}]"));
    }

    @Test
    void theRecordsHoldJavaCallersToTheSameRules() {
        assertThrows(IllegalArgumentException.class, () -> new StoredImage("inputs/../x.png"));
        assertThrows(IllegalArgumentException.class, () -> new InitImageSettings(TestPictures.inline(8, 8),
                InitResizeMode.JUST_RESIZE, 0.5, Optional.of(MaskSettings.of(TestPictures.inline(8, 16))), Optional.empty()));
        assertThrows(IllegalArgumentException.class, () -> new ImageModes(
                Optional.of(InitImageSettings.img2img(new StoredImage("inputs/a.png"), 0.5)),
                Optional.of(HiresSettings.of(2))));
        assertThrows(IllegalArgumentException.class, () -> new RenderJob("j", List.of("p"), List.of(1L),
                new Size(520, 512), RenderSettings.defaults("m").withModes(ImageModes.of(HiresSettings.of(1.5)))));
        assertEquals("InlineImage[image/jpeg, 16x8, sha256:", InlineImage.parse(TestPictures.jpeg(16, 8)).toString()
                .substring(0, 37));
    }

    /** The messages of the campaign with {@code fields}, which must be refused. */
    private List<String> errors(String fields) {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse("{" + CAMPAIGN + fields + "}"));
        return invalid.errors().stream().map(ValidationError::message).toList();
    }

    private RenderJob render(String fields) {
        return (RenderJob) parser.parse("{" + RENDER + fields + "}").orElseThrow();
    }

    private static Arguments bad(String fields, Code code, String field, String message, boolean schemaTells) {
        return Arguments.of("{" + RENDER + fields + "}", code, field, message, schemaTells);
    }

    /** A PNG of only its signature and header, claiming {@code width} x {@code height}: enough to be refused by size. */
    private static String pngHeader(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17).put("IHDR".getBytes(java.nio.charset.StandardCharsets.US_ASCII))
                .putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0});
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
        out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
        out.writeBytes(ihdr.array());
        out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(out.toByteArray());
    }
}

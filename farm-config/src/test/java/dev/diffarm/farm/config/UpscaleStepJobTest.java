package dev.diffarm.farm.config;

import static dev.diffarm.farm.config.ModeJobs.CAMPAIGN;
import static dev.diffarm.farm.config.ModeJobs.RENDER;
import static dev.diffarm.farm.config.ModeJobs.SCHEMA;
import static dev.diffarm.farm.config.ModeJobs.read;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.farm.config.ValidationError.Code;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

/**
 * The upscale step of render jobs, campaigns and styles ({@code "upscale": {...}}): read with the upscale job's
 * defaults, written back, in the parameter hash only when set, a style's replacing the campaign's, and refused naming
 * the field.
 */
class UpscaleStepJobTest {
    private final JobParser parser = new JobParser();

    @Test
    void aRenderJobsStepTakesTheUpscaleJobsDefaultsAndIsWrittenBack() {
        RenderJob job = render(", \"upscale\": {\"upscaler\": \"R-ESRGAN 4x+\"}");

        assertEquals(new UpscaleSettings("R-ESRGAN 4x+", 4, 192, 8), job.settings().modes().upscale().orElseThrow());
        assertEquals(job, parser.parse(job.toJson()).orElseThrow());
        assertEquals(Set.of(), SCHEMA.validate(read(job.toJson())), job.toJson());
        RenderJob full = render(", \"enableHr\": true, \"hrScale\": 1.5, \"upscale\": {\"upscaler\": \"Lanczos\", "
                + "\"scale\": 2.5, \"tile\": 0, \"tileOverlap\": 0}");
        assertEquals(new UpscaleSettings("Lanczos", 2.5, 0, 0), full.settings().modes().upscale().orElseThrow());
        assertEquals(full, parser.parse(full.toJson()).orElseThrow());
    }

    @Test
    void theStoredSizeIsTheRenderedImagesUpscaledAsA1111sExtrasSizeIt() {
        ImageModes step = ImageModes.NONE.withUpscale(Optional.of(UpscaleSettings.of("Lanczos", 2.5)));
        ImageModes hires = ImageModes.of(HiresSettings.of(1.5)).withUpscale(step.upscale());

        assertEquals(new Size(96, 56), step.outputSize(new Size(40, 24)), "int(40 * 2.5) = 100, down to 96; 60 to 56");
        assertEquals(new Size(40, 24), step.imageSize(new Size(40, 24)), "the diffusion size stays the task's");
        assertEquals(new Size(120, 120), hires.outputSize(new Size(32, 32)), "32 * 1.5 = 48 after the hires pass");
        assertEquals(new Size(32, 32), ImageModes.NONE.outputSize(new Size(32, 32)));
    }

    @Test
    void aTxt2imgTaskKeepsItsPinnedHashAndTheStepChangesIt() {
        RenderSettings settings = RenderSettings.defaults("sd15").withNegativePrompt("blurry")
                .withLoras(List.of(new Lora("grain", 0.5)));
        TaskParameters txt2img = new TaskParameters("a cat in a hat", 42, new Size(512, 768), settings);
        TaskParameters lanczos = new TaskParameters("a cat in a hat", 42, new Size(512, 768), settings.withModes(
                ImageModes.NONE.withUpscale(Optional.of(UpscaleSettings.of("Lanczos", 2)))));
        TaskParameters tiled = new TaskParameters("a cat in a hat", 42, new Size(512, 768), settings.withModes(
                ImageModes.NONE.withUpscale(Optional.of(new UpscaleSettings("Lanczos", 2, 64, 8)))));

        // the hash main gave this task before the modes existed (ImageModesJobTest pins the same)
        assertEquals("b6d880e063ac77c2b3dedc459c2babee72d4db8a25081e355c8606d397146673", txt2img.hash());
        assertEquals(3, Stream.of(txt2img, lanczos, tiled).map(TaskParameters::hash).distinct().count());
        assertTrue(lanczos.toJson().contains("\"upscale\":{\"scale\":2.0,\"tile\":192,\"tileOverlap\":8,"
                + "\"upscaler\":\"Lanczos\"}"), lanczos.toJson());
    }

    @Test
    void aStylesStepReplacesTheCampaignsAndAStyleWithoutOneKeepsIt() {
        Campaign campaign = (Campaign) parser.parse("{" + CAMPAIGN + ", \"upscale\": {\"upscaler\": \"Lanczos\", "
                + "\"scale\": 2}, \"styles\": [{\"name\": \"plain\", \"template\": \"{prompt}\"}, {\"name\": \"sharp\", "
                + "\"template\": \"{prompt}, sharp\", \"upscale\": {\"upscaler\": \"esrgan-x4\", \"tile\": 64}}]}")
                .orElseThrow();
        List<TaskSpec> tasks = campaign.plan().tasks();

        assertEquals(UpscaleSettings.of("Lanczos", 2), tasks.get(0).parameters().settings().modes().upscale().orElseThrow());
        assertEquals(new UpscaleSettings("esrgan-x4", 4, 64, 8),
                tasks.get(1).parameters().settings().modes().upscale().orElseThrow());
        assertNotEquals(tasks.get(0).parameterHash(), tasks.get(1).parameterHash());
        assertEquals(campaign, parser.parse(campaign.toJson()).orElseThrow());
        assertEquals(Set.of(), SCHEMA.validate(read(campaign.toJson())), campaign.toJson());
    }

    /** Documents with one problem each: JSON, field, message, and whether the JSON Schema can tell too. */
    static Stream<Arguments> oneProblem() {
        return Stream.of(
                bad(", \"upscale\": {\"scale\": 2}", "upscale.upscaler", "upscale.upscaler is missing: expected the name "
                        + "of an upscaler the farm has (a resampler such as \"Lanczos\", or an upscaler model's name)", true),
                bad(", \"upscale\": {\"upscaler\": \"Lanczos\", \"scale\": 9}", "upscale.scale",
                        "upscale.scale = 9: expected a number in 1..8", true),
                bad(", \"upscale\": {\"upscaler\": \"Lanczos\", \"scale\": 0.5}", "upscale.scale",
                        "upscale.scale = 0.5: expected a number in 1..8", true),
                bad(", \"upscale\": {\"upscaler\": \"models/x.pth\"}", "upscale.upscaler", null, true),
                bad(", \"upscale\": {\"upscaler\": \"Lanczos\", \"tile\": -1}", "upscale.tile",
                        "upscale.tile = -1: expected an integer in 0..4096", true),
                bad(", \"upscale\": {\"upscaler\": \"esrgan\", \"tile\": 32, \"tileOverlap\": 32}", "upscale.tileOverlap",
                        "upscale.tileOverlap = 32: expected less than tile (32)", false),
                bad(", \"upscale\": {\"upscaler\": \"Lanczos\", \"by\": 2}", "upscale.by", null, true),
                bad(", \"upscale\": \"Lanczos\"", "upscale", null, true),
                bad(", \"width\": 4096, \"height\": 1024, \"enableHr\": true, \"hrScale\": 1, \"upscale\": "
                        + "{\"upscaler\": \"Lanczos\", \"scale\": 4.5}", "upscale.scale", "upscale.scale = 4.5: expected "
                        + "an upscaled image of at most 16384 px on a side (the task's image of 4096x1024 would "
                        + "become 18432x4608)", false));
    }

    @ParameterizedTest
    @MethodSource("oneProblem")
    void eachBadStepFieldGetsOneErrorNamingIt(String json, String field, String message, boolean schemaTells) {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse(json));

        assertEquals(1, invalid.errors().size(), () -> invalid.errors().toString());
        ValidationError error = invalid.errors().get(0);
        System.out.println(error.message());
        assertEquals(Optional.of(field), error.field(), error.message());
        if (message != null) {
            assertEquals(message, error.message());
        }
        assertEquals(schemaTells, !SCHEMA.validate(read(json)).isEmpty(), json);
    }

    @Test
    void aStylesStepIsCheckedAtEverySizeOfTheCampaign() {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse("{" + CAMPAIGN
                + ", \"sizes\": [{\"width\": 512, \"height\": 512}, {\"width\": 2560, \"height\": 512}], \"styles\": ["
                + "{\"name\": \"a\", \"template\": \"{prompt}\"}, {\"name\": \"b\", \"template\": \"{prompt}\", "
                + "\"upscale\": {\"upscaler\": \"Lanczos\", \"scale\": 8}}]}"));

        assertEquals(List.of("styles[1].upscale.scale = 8: expected an upscaled image of at most 16384 px on a side "
                + "(the task's image of 2560x512 would become 20480x4096)"),
                invalid.errors().stream().map(ValidationError::message).toList());
    }

    @Test
    void anUnknownUpscalerIsRefusedListingTheFarmsOnes() {
        JobParser checked = new JobParser(Catalog.of(Map.of(Catalog.Kind.UPSCALER,
                List.of("Lanczos", "Nearest", "RealESRGAN_x4plus"))));
        assertEquals("RealESRGAN_x4plus", ((RenderJob) checked.parse("{" + RENDER + ", \"upscale\": {\"upscaler\": "
                + "\"RealESRGAN_x4plus\"}}").orElseThrow()).settings().modes().upscale().orElseThrow().upscaler());

        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, checked.parse("{" + CAMPAIGN
                + ", \"upscale\": {\"upscaler\": \"ESRGAN_4x\"}, \"styles\": [{\"name\": \"s\", \"template\": "
                + "\"{prompt}\", \"upscale\": {\"upscaler\": \"Nearest\"}}, {\"name\": \"t\", \"template\": \"{prompt}\", "
                + "\"upscale\": {\"upscaler\": \"4x-UltraSharp\"}}]}"));
        String known = ": expected an upscaler this farm has: Lanczos, Nearest, RealESRGAN_x4plus";
        assertEquals(List.of("upscale.upscaler = \"ESRGAN_4x\"" + known,
                "styles[1].upscale.upscaler = \"4x-UltraSharp\"" + known),
                invalid.errors().stream().map(ValidationError::message).toList());
        assertEquals(Code.UNKNOWN_NAME, invalid.errors().get(0).code());
    }

    @Test
    void theRecordHoldsJavaCallersToTheSameRules() {
        assertEquals("upscale.tileOverlap = 16: expected less than tile (16)", assertThrows(IllegalArgumentException.class,
                () -> new UpscaleSettings("esrgan", 2, 16, 16)).getMessage());
        assertThrows(IllegalArgumentException.class, () -> UpscaleSettings.of("Lanczos", 8.5));
        assertThrows(IllegalArgumentException.class, () -> UpscaleSettings.of("a/b", 2));
        assertThrows(IllegalArgumentException.class, () -> new RenderJob("j", List.of("p"), List.of(1L),
                new Size(4096, 512), RenderSettings.defaults("m").withModes(ImageModes.NONE.withUpscale(
                        Optional.of(UpscaleSettings.of("Lanczos", 5))))));
    }

    private RenderJob render(String fields) {
        return (RenderJob) parser.parse("{" + RENDER + fields + "}").orElseThrow();
    }

    private static Arguments bad(String fields, String field, String message, boolean schemaTells) {
        return Arguments.of("{" + RENDER + fields + "}", field, message, schemaTells);
    }
}

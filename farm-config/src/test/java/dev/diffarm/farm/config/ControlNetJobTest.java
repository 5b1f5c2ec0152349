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

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * ControlNet units as job fields ({@code controlnets}): read with their defaults, written back, hashed only when set,
 * replaced by a campaign style's, and refused naming the unit's field.
 */
class ControlNetJobTest {
    private final JobParser parser = new JobParser();

    @Test
    void aUnitLeftToItsDefaultsIsAReadyMapAtFullWeightOverEveryStep() {
        RenderJob job = render(", \"controlnets\": [{\"model\": \"control_depth\", \"image\": \"inputs/depth.png\"}]");

        assertEquals(List.of(new ControlNetUnit("control_depth", new StoredImage("inputs/depth.png"), "none", 1.0, 0, 1,
                OptionalDouble.empty(), OptionalDouble.empty(), InitResizeMode.CROP_AND_RESIZE)),
                job.settings().modes().controlNets());
        assertEquals(job, parser.parse(job.toJson()).orElseThrow());
    }

    @Test
    void everyFieldIsReadWrittenBackAndAcceptedByTheSchema() {
        String picture = TestPictures.png(64, 48);
        RenderJob job = render(", \"enableHr\": true, \"controlnets\": [{\"model\": \"control_canny\", \"image\": \""
                + picture + "\", \"module\": \"canny\", \"weight\": 0.8, \"guidanceStart\": 0.1, \"guidanceEnd\": 0.9, "
                + "\"thresholdA\": 50, \"thresholdB\": 150, \"resizeMode\": 0}, {\"model\": \"control_depth\", "
                + "\"image\": \"inputs/d.png\", \"resizeMode\": \"resize-and-fill\"}]");

        List<ControlNetUnit> units = job.settings().modes().controlNets();
        assertEquals(new ControlNetUnit("control_canny", InlineImage.parse(picture), "canny", 0.8, 0.1, 0.9,
                OptionalDouble.of(50), OptionalDouble.of(150), InitResizeMode.JUST_RESIZE), units.get(0));
        assertEquals(InitResizeMode.RESIZE_AND_FILL, units.get(1).resizeMode());
        assertTrue(job.settings().modes().hires().isPresent(), "units go with a hires pass");
        assertEquals(job, parser.parse(job.toJson()).orElseThrow());
        assertEquals(Set.of(), SCHEMA.validate(read(job.toJson())));
    }

    @Test
    void theParameterHashCoversTheUnitsOnlyWhenThereAreAny() {
        RenderJob plain = render("");
        RenderJob controlled = render(", \"controlnets\": [{\"model\": \"c\", \"image\": \"inputs/a.png\"}]");
        RenderJob heavier = render(", \"controlnets\": [{\"model\": \"c\", \"image\": \"inputs/a.png\", \"weight\": 0.5}]");
        String plainJson = plain.plan().tasks().get(0).parameters().toJson();

        assertTrue(!plainJson.contains("controlnets"), plainJson);
        assertEquals(plain.plan().tasks().get(0).parameterHash(),
                new RenderJob("job-1", List.of("p"), RenderSettings.defaults("sd15")).plan().tasks().get(0).parameterHash());
        String hash = controlled.plan().tasks().get(0).parameterHash();
        assertNotEquals(plain.plan().tasks().get(0).parameterHash(), hash);
        assertNotEquals(heavier.plan().tasks().get(0).parameterHash(), hash);
        String inline = render(", \"controlnets\": [{\"model\": \"c\", \"image\": \"" + TestPictures.png(8, 8) + "\"}]")
                .plan().tasks().get(0).parameters().toJson();
        assertTrue(inline.contains("\"image\":\"sha256:"), "an inline picture is hashed by its digest: " + inline);
    }

    @Test
    void aStylesUnitsReplaceTheCampaignsAllOfThem() {
        Campaign campaign = (Campaign) parser.parse("{" + CAMPAIGN + ", \"controlnets\": [{\"model\": \"pose\", "
                + "\"image\": \"inputs/pose.png\"}, {\"model\": \"depth\", \"image\": \"inputs/depth.png\"}], \"styles\": ["
                + "{\"name\": \"same\", \"template\": \"{prompt}\"}, {\"name\": \"edges\", \"template\": \"{prompt}\", "
                + "\"controlnets\": [{\"model\": \"canny\", \"image\": \"inputs/e.png\", \"module\": \"canny\"}]}]}")
                .orElseThrow();

        List<TaskSpec> tasks = campaign.plan().tasks();
        assertEquals(List.of("pose", "depth"), models(tasks.get(0)));
        assertEquals(List.of("canny"), models(tasks.get(1)));
        assertEquals(campaign, parser.parse(campaign.toJson()).orElseThrow());
        assertEquals(Set.of(), SCHEMA.validate(read(campaign.toJson())));
    }

    @Test
    void badUnitsAreRefusedAtTheUnitsField() {
        assertEquals(List.of("controlnets[1].weight = 3: expected a number in 0..2"), errors(", \"controlnets\": ["
                + unit("") + ", " + unit(", \"weight\": 3") + "]"));
        assertEquals(List.of("controlnets[0].guidanceStart = 0.8: expected less than guidanceEnd (0.5)"),
                errors(", \"controlnets\": [" + unit(", \"guidanceStart\": 0.8, \"guidanceEnd\": 0.5") + "]"));
        assertEquals(List.of("controlnets[0].guidanceEnd = 0: expected more than guidanceStart (0)"),
                errors(", \"controlnets\": [" + unit(", \"guidanceEnd\": 0") + "]"));
        assertEquals(List.of("controlnets[0].thresholdA = 50: expected this field only together with \"module\": "
                + "\"canny\""), errors(", \"controlnets\": [" + unit(", \"thresholdA\": 50") + "]"));
        assertEquals(List.of("controlnets[0].thresholdB = 3000: expected a number in 0..2040"),
                errors(", \"controlnets\": [" + unit(", \"module\": \"canny\", \"thresholdB\": 3000") + "]"));
        assertEquals(List.of("controlnets[0].image is missing: expected " + InlineImage.EXPECTED),
                errors(", \"controlnets\": [{\"model\": \"c\"}]"));
        assertEquals(List.of("controlnets[0].image = \"inputs/../x.png\": expected " + Rules.INPUT_KEY.expected()),
                errors(", \"controlnets\": [{\"model\": \"c\", \"image\": \"inputs/../x.png\"}]"));
        String eleven = String.join(", ", java.util.Collections.nCopies(11, unit("")));
        assertTrue(errors(", \"controlnets\": [" + eleven + "]").get(0).endsWith(": expected at most 10 items (it has 11)"));
        assertEquals(List.of("styles[0].controlnets[0].resizeMode = 3: expected " + InitResizeMode.EXPECTED),
                campaignErrors(", \"styles\": [{\"name\": \"s\", \"template\": \"{prompt}\", \"controlnets\": ["
                        + unit(", \"resizeMode\": 3") + "]}]"));
    }

    @Test
    void unknownModelsAndModulesListWhatTheFarmHas() {
        JobParser checked = new JobParser(Catalog.of(Map.of(Catalog.Kind.CONTROLNET, List.of("control_canny",
                "control_depth"), Catalog.Kind.PREPROCESSOR, List.of("canny", "none"))));
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, checked.parse("{" + CAMPAIGN
                + ", \"controlnets\": [{\"model\": \"control_pose\", \"image\": \"inputs/a.png\", \"module\": \"openpose\"}]"
                + ", \"styles\": [{\"name\": \"s\", \"template\": \"{prompt}\", \"controlnets\": [" + unit("") + ", "
                + "{\"model\": \"control_lineart\", \"image\": \"inputs/a.png\"}]}]}"));

        List<String> messages = invalid.errors().stream().map(ValidationError::message).toList();
        messages.forEach(System.out::println);
        assertEquals(List.of("controlnets[0].model = \"control_pose\": expected a ControlNet this farm has: control_canny, "
                        + "control_depth",
                "controlnets[0].module = \"openpose\": expected a control preprocessor this farm has: canny, none",
                "styles[0].controlnets[1].model = \"control_lineart\": expected a ControlNet this farm has: control_canny, "
                        + "control_depth"), messages);
        assertEquals(ValidationError.Code.UNKNOWN_NAME, invalid.errors().get(0).code());
    }

    @Test
    void theRecordsHoldJavaCallersToTheSameRules() {
        StoredImage picture = new StoredImage("inputs/a.png");
        assertThrows(IllegalArgumentException.class, () -> new ControlNetUnit("c", picture, 2.5));
        assertThrows(IllegalArgumentException.class, () -> new ControlNetUnit("c", picture, "none", 1, 0.5, 0.5,
                OptionalDouble.empty(), OptionalDouble.empty(), InitResizeMode.JUST_RESIZE));
        assertThrows(IllegalArgumentException.class, () -> new ControlNetUnit("c", picture, "none", 1, 0, 1,
                OptionalDouble.of(10), OptionalDouble.empty(), InitResizeMode.JUST_RESIZE));
        assertThrows(IllegalArgumentException.class, () -> new ImageModes(Optional.empty(), Optional.empty(),
                java.util.Collections.nCopies(11, new ControlNetUnit("c", picture, 1))));
    }

    private static List<String> models(TaskSpec task) {
        return task.parameters().settings().modes().controlNets().stream().map(ControlNetUnit::model).toList();
    }

    private static String unit(String more) {
        return "{\"model\": \"control_canny\", \"image\": \"inputs/a.png\"" + more + "}";
    }

    private List<String> errors(String fields) {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse("{" + RENDER + fields + "}"));
        return invalid.errors().stream().map(ValidationError::message).toList();
    }

    private List<String> campaignErrors(String fields) {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse("{" + CAMPAIGN + fields + "}"));
        return invalid.errors().stream().map(ValidationError::message).toList();
    }

    private RenderJob render(String fields) {
        return (RenderJob) parser.parse("{" + RENDER + fields + "}").orElseThrow();
    }
}

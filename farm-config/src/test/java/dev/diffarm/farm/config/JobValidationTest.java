package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.farm.config.ValidationError.Code;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every kind of bad input, with the exact field, value and message it must get. */
class JobValidationTest {
    /** The image modes' fields, in the order a job's reader asks for them. */
    private static final String MODE_FIELDS = "initImage, resizeMode, denoisingStrength, mask, maskBlur, "
            + "inpaintingMaskInvert, inpaintingFill, inpaintFullRes, inpaintFullResPadding, outpaint, enableHr, hrScale, "
            + "hrUpscaler, hrSecondPassSteps, hrStepsRule, controlnets, upscale";

    private static final String RENDER = "\"apiVersion\": \"diffarm/v1\", \"kind\": \"render\", \"id\": \"job-1\", \"model\": \"sd15\"";
    private static final String CAMPAIGN = "\"apiVersion\": \"diffarm/v1\", \"kind\": \"campaign\", \"id\": \"camp-1\", \"model\": \"sd15\"";

    private static final String MERGE = "\"apiVersion\": \"diffarm/v1\", \"kind\": \"merge\", \"id\": \"mix-1\", "
            + "\"a\": \"sd15\", \"b\": \"dreamshaper\", \"multiplier\": 0.3, \"output\": \"dream-mix\"";

    private static final String UPSCALE = "\"apiVersion\": \"diffarm/v1\", \"kind\": \"upscale\", \"id\": \"big-1\", "
            + "\"upscaler\": \"Lanczos\"";

    private final JobParser parser = new JobParser();

    /** Documents with one problem each: JSON, code, field, value (a prefix when ending in "..."), message. */
    static Stream<Arguments> oneProblem() {
        return Stream.of(
                bad("{\"apiVersion\": \"diffarm/v2\", \"kind\": \"render\"}", Code.UNSUPPORTED_API_VERSION,
                        "apiVersion", "\"diffarm/v2\"", "apiVersion = \"diffarm/v2\": expected \"diffarm/v1\""),
                bad("{\"kind\": \"render\", \"id\": \"j\"}", Code.MISSING_FIELD, "apiVersion", null,
                        "apiVersion is missing: expected \"diffarm/v1\""),
                bad("{\"apiVersion\": \"diffarm/v1\", \"kind\": \"resize\", \"id\": \"j\"}", Code.UNKNOWN_KIND, "kind",
                        "\"resize\"", "kind = \"resize\": expected \"render\", \"campaign\", \"merge\", \"train\" or \"upscale\""),
                bad("{" + RENDER.replace("\"id\": \"job-1\", ", "") + ", \"prompts\": [\"p\"]}", Code.MISSING_FIELD, "id",
                        null, "id is missing: expected 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit"),
                bad("{" + RENDER.replace("job-1", "../etc") + ", \"prompts\": [\"p\"]}", Code.INVALID_VALUE, "id",
                        "\"../etc\"", "id = \"../etc\": expected 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit"),
                bad("{" + RENDER.replace("job-1", "j".repeat(129)) + ", \"prompts\": [\"p\"]}", Code.INVALID_VALUE, "id",
                        "\"" + "j".repeat(79) + "...", null),
                bad("{" + RENDER + "}", Code.MISSING_FIELD, "prompts", null,
                        "prompts is missing: expected an array of at least one prompt"),
                bad("{" + RENDER + ", \"prompts\": []}", Code.INVALID_VALUE, "prompts", "[]",
                        "prompts = []: expected at least one prompt"),
                bad("{" + RENDER + ", \"prompts\": \"a cat\"}", Code.WRONG_TYPE, "prompts", "\"a cat\"",
                        "prompts = \"a cat\": expected an array of prompts"),
                bad("{" + RENDER + ", \"prompts\": [\"a\", \"b\", \"  \"]}", Code.INVALID_VALUE, "prompts[2]", "\"  \"",
                        "prompts[2] = \"  \": expected a non-blank prompt of at most 10000 characters"),
                bad("{" + RENDER + ", \"prompts\": [\"a\", \"b\", \"a\"]}", Code.INVALID_VALUE, "prompts[2]", "\"a\"",
                        "prompts[2] = \"a\": expected a prompt not listed before (prompts[0] has it)"),
                bad("{" + RENDER + ", \"prompts\": [\"a\", 5]}", Code.WRONG_TYPE, "prompts[1]", "5",
                        "prompts[1] = 5: expected a non-blank prompt of at most 10000 characters"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"steps\": -1}", Code.INVALID_VALUE, "steps", "-1",
                        "steps = -1: expected an integer in 1..1000"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"steps\": \"20\"}", Code.WRONG_TYPE, "steps", "\"20\"",
                        "steps = \"20\": expected an integer in 1..1000"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"steps\": 20.5}", Code.WRONG_TYPE, "steps", "20.5",
                        "steps = 20.5: expected an integer in 1..1000"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"steps\": null}", Code.WRONG_TYPE, "steps", "null",
                        "steps = null: expected an integer in 1..1000"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"width\": 100000}", Code.INVALID_VALUE, "width", "100000",
                        "width = 100000: expected a multiple of 8 in 8..4096 pixels"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"height\": 500}", Code.INVALID_VALUE, "height", "500",
                        "height = 500: expected a multiple of 8 in 8..4096 pixels"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"cfg\": 1e400}", Code.INVALID_VALUE, "cfg", "1E+400",
                        "cfg = 1E+400: expected a number in 0..100"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"eta\": -0.5}", Code.INVALID_VALUE, "eta", "-0.5",
                        "eta = -0.5: expected a number in 0..1"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"eta\": \"0.5\"}", Code.WRONG_TYPE, "eta", "\"0.5\"",
                        "eta = \"0.5\": expected a number in 0..1"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"clipSkip\": 0}", Code.INVALID_VALUE, "clipSkip", "0",
                        "clipSkip = 0: expected an integer in 1..12"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"seeds\": [1, -1]}", Code.INVALID_VALUE, "seeds[1]", "-1",
                        "seeds[1] = -1: expected an integer in 0..4294967295 (an unsigned 32-bit seed)"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"seeds\": [4294967296]}", Code.INVALID_VALUE, "seeds[0]",
                        "4294967296", "seeds[0] = 4294967296: expected an integer in 0..4294967295 (an unsigned 32-bit seed)"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"seeds\": [123456789012345678901234567890]}", Code.INVALID_VALUE,
                        "seeds[0]", "123456789012345678901234567890", null),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"seeds\": []}", Code.INVALID_VALUE, "seeds", "[]",
                        "seeds = []: expected at least one seed"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"seeds\": [3, 3]}", Code.INVALID_VALUE, "seeds[1]", "3",
                        "seeds[1] = 3: expected a seed not listed before (seeds[0] has it)"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"stpes\": 30}", Code.UNKNOWN_FIELD, "stpes", "30",
                        "stpes is not a known field: expected one of apiVersion, kind, id, prompts, seeds, width, height, "
                                + "model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, " + MODE_FIELDS),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"sampler\": \"\"}", Code.INVALID_VALUE, "sampler", "\"\"",
                        "sampler = \"\": expected a non-blank name of at most 256 characters, "
                                + "without control characters, '/', '\\', '<', '>' or ':', not starting with '.'"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"loras\": [{\"name\": \"a\", \"weight\": 11}]}",
                        Code.INVALID_VALUE, "loras[0].weight", "11", "loras[0].weight = 11: expected a number in -10..10"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"loras\": [{\"name\": \"a\"}, {\"name\": \"a\", \"weight\": 2}]}",
                        Code.INVALID_VALUE, "loras[1].name", "\"a\"",
                        "loras[1].name = \"a\": expected a LoRA not listed before (loras[0].name has it)"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"loras\": [{\"nmae\": \"a\", \"name\": \"b\"}]}",
                        Code.UNKNOWN_FIELD, "loras[0].nmae", "\"a\"", "loras[0].nmae is not a known field: expected one of name, weight"),
                bad("{" + RENDER + ", \"prompts\": [\"p\"], \"loras\": [\"grain\"]}", Code.WRONG_TYPE, "loras[0]", "\"grain\"",
                        "loras[0] = \"grain\": expected a LoRA object {\"name\": ..., \"weight\": ...}"),
                bad("{" + RENDER + ", \"prompts\": [\"p\", \"q\"], \"seeds\": " + range(5001) + "}", Code.TOO_MANY_TASKS,
                        null, "10002", "the job expands into prompts x seeds = 2 x 5001 = 10002 tasks: expected at most 10000"),
                bad("{" + CAMPAIGN + ", \"prompts\": [\"p\"], \"styles\": [{\"name\": \"oil\", \"template\": \"oil painting\"}]}",
                        Code.INVALID_VALUE, "styles[0].template", "\"oil painting\"",
                        "styles[0].template = \"oil painting\": expected a template containing {prompt}, of at most 10000 characters"),
                bad("{" + CAMPAIGN + ", \"prompts\": [\"p\"], \"styles\": [{\"name\": \"a\", \"template\": \"{prompt}\"},"
                                + " {\"name\": \"a\", \"template\": \"x {prompt}\"}]}", Code.INVALID_VALUE, "styles[1].name",
                        "\"a\"", "styles[1].name = \"a\": expected a style name not listed before (styles[0].name has it)"),
                bad("{" + CAMPAIGN + ", \"prompts\": [\"p\"], \"sizes\": [{\"width\": 512}]}", Code.MISSING_FIELD,
                        "sizes[0].height", null, "sizes[0].height is missing: expected a multiple of 8 in 8..4096 pixels"),
                bad("{" + CAMPAIGN + ", \"prompts\": [\"p\"], \"sizes\": [{\"width\": 512, \"height\": 512}, {\"width\": 512, \"height\": 512}]}",
                        Code.INVALID_VALUE, "sizes[1]", "{\"width\":512,\"height\":512}",
                        "sizes[1] = {\"width\":512,\"height\":512}: expected a size not listed before (sizes[0] has it)"),
                bad("{" + CAMPAIGN + ", \"prompts\": [\"p\"], \"width\": 768}", Code.UNKNOWN_FIELD, "width", "768",
                        "width is not a known field: expected one of apiVersion, kind, id, prompts, styles, sizes, seeds, "
                                + "model, negativePrompt, sampler, schedule, eta, steps, cfg, clipSkip, loras, " + MODE_FIELDS),
                bad("{" + CAMPAIGN + ", \"prompts\": " + prompts(101) + ", \"seeds\": " + range(100) + "}",
                        Code.TOO_MANY_TASKS, null, "10100",
                        "the job expands into styles x prompts x sizes x seeds = 1 x 101 x 1 x 100 = 10100 tasks: expected at most 10000"),
                bad("{" + CAMPAIGN + ", \"prompts\": [\"p\"], \"negativePrompt\": \"" + "n".repeat(6000) + "\","
                                + " \"styles\": [{\"name\": \"s\", \"template\": \"{prompt}\", \"negativePrompt\": \"" + "m".repeat(5000) + "\"}]}",
                        Code.INVALID_VALUE, "styles[0].negativePrompt", "\"" + "m".repeat(79) + "...", null),
                bad("{" + UPSCALE + "}", Code.MISSING_FIELD, "images", null,
                        "images is missing: expected an array of 1 to 1000 pictures"),
                bad("{" + UPSCALE + ", \"images\": []}", Code.INVALID_VALUE, "images", "[]",
                        "images = []: expected at least one picture"),
                bad("{" + UPSCALE + ", \"images\": [\"inputs/a.png\", \"inputs/a.png\"]}", Code.INVALID_VALUE,
                        "images[1]", "\"inputs/a.png\"", "images[1] = \"inputs/a.png\": expected a picture not listed before (images[0] has it)"),
                bad("{" + UPSCALE + ", \"images\": [\"inputs/a.png\"], \"scale\": 9}", Code.INVALID_VALUE, "scale", "9",
                        "scale = 9: expected a number in 1..8"),
                bad("{" + UPSCALE + ", \"images\": [\"inputs/a.png\"], \"tile\": 64, \"tileOverlap\": 64}",
                        Code.INVALID_VALUE, "tileOverlap", "64", "tileOverlap = 64: expected less than tile (64)"),
                bad("{" + UPSCALE.replace("\"Lanczos\"", "\"a/b\"") + ", \"images\": [\"inputs/a.png\"]}",
                        Code.INVALID_VALUE, "upscaler", "\"a/b\"", "upscaler = \"a/b\": expected the name of an upscaler "
                                + "the farm has (a resampler such as \"Lanczos\", or an upscaler model's name)"),
                bad("{" + UPSCALE + ", \"images\": [\"inputs/a.png\"], \"strength\": 0.5}", Code.UNKNOWN_FIELD,
                        "strength", "0.5", "strength is not a known field: expected one of apiVersion, kind, id, images, "
                                + "upscaler, scale, tile, tileOverlap, prompt, negativePrompt, sampler, steps, cfg, seed, "
                                + "noiseLevel"),
                bad("{" + MERGE + ", \"method\": \"average\"}", Code.INVALID_VALUE, "method", "\"average\"",
                        "method = \"average\": expected \"weighted-sum\" or \"add-difference\""),
                bad("{" + MERGE.replace("\"a\": \"sd15\", ", "") + ", \"method\": \"weighted-sum\"}", Code.MISSING_FIELD,
                        "a", null, "a is missing: expected the name of a model on the farm"),
                bad("{" + MERGE + ", \"method\": \"weighted-sum\", \"c\": \"base\"}", Code.INVALID_VALUE, "c",
                        "\"base\"", "c = \"base\": expected no c: the weighted sum merges a and b only"),
                bad("{" + MERGE + ", \"method\": \"add-difference\"}", Code.MISSING_FIELD, "c", null,
                        "c is missing: expected the name of the model whose difference to b is added (add-difference "
                                + "merges a, b and c)"),
                bad("{" + MERGE + ", \"method\": \"add-difference\", \"c\": [\"base\"]}", Code.WRONG_TYPE, "c",
                        "[\"base\"]", "c = [\"base\"]: expected a non-blank name of at most 256 characters, "
                                + "without control characters, '/', '\\', '<', '>' or ':', not starting with '.'"),
                bad("{" + MERGE.replace("0.3", "1.5") + ", \"method\": \"weighted-sum\"}", Code.INVALID_VALUE,
                        "multiplier", "1.5", "multiplier = 1.5: expected a number in 0..1"),
                bad("{" + MERGE.replace("0.3", "-0.1") + ", \"method\": \"add-difference\", \"c\": \"base\"}",
                        Code.INVALID_VALUE, "multiplier", "-0.1", "multiplier = -0.1: expected a number in 0..1"),
                bad("{" + MERGE.replace("0.3", "\"0.3\"") + ", \"method\": \"weighted-sum\"}", Code.WRONG_TYPE,
                        "multiplier", "\"0.3\"", "multiplier = \"0.3\": expected a number in 0..1"),
                bad("{" + MERGE.replace("dream-mix", "../models/sd15") + ", \"method\": \"weighted-sum\"}",
                        Code.INVALID_VALUE, "output", "\"../models/sd15\"", "output = \"../models/sd15\": expected a model "
                                + "name of 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit, "
                                + "without .safetensors (the file is <output>.safetensors)"),
                bad("{" + MERGE.replace("dream-mix", "..") + ", \"method\": \"weighted-sum\"}", Code.INVALID_VALUE,
                        "output", "\"..\"", null),
                bad("{" + MERGE.replace("dream-mix", "dream-mix.SafeTensors") + ", \"method\": \"weighted-sum\"}",
                        Code.INVALID_VALUE, "output", "\"dream-mix.SafeTensors\"", null),
                bad("{" + MERGE + ", \"method\": \"weighted-sum\", \"m\": 0.5}", Code.UNKNOWN_FIELD, "m", "0.5",
                        "m is not a known field: expected one of apiVersion, kind, id, method, a, b, c, multiplier, output"));
    }

    @ParameterizedTest
    @MethodSource("oneProblem")
    void eachBadInputGetsOneErrorNamingFieldValueAndExpectation(String json, Code code, String field, String value,
                                                                String message) {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse(json));

        assertEquals(1, invalid.errors().size(), () -> invalid.errors().toString());
        ValidationError error = invalid.errors().get(0);
        assertEquals(code, error.code(), error.message());
        assertEquals(Optional.ofNullable(field), error.field(), error.message());
        if (value != null && value.endsWith("...")) {
            assertTrue(error.value().orElseThrow().startsWith(value.substring(0, value.length() - 3)), error.message());
        } else {
            assertEquals(Optional.ofNullable(value), error.value(), error.message());
        }
        if (message != null) {
            assertEquals(message, error.message());
        }
    }

    @Test
    void aMisspeltFieldIsReportedUnknownAndTheRealOneMissing() {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse("{" + CAMPAIGN
                + ", \"prompts\": [\"p\"], \"styles\": [{\"name\": \"oil\", \"tempalte\": \"{prompt}\"}]}"));

        assertEquals(List.of(
                "styles[0].template is missing: expected a template containing {prompt}, of at most 10000 characters",
                "styles[0].tempalte is not a known field: expected one of name, template, negativePrompt, loras, "
                        + MODE_FIELDS),
                invalid.errors().stream().map(ValidationError::message).toList());
    }

    @Test
    void textThatIsNotJsonSaysWhereItBroke() {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse("{\"apiVersion\": \"diffarm/v1\",\n \"kind\": }"));

        ValidationError error = invalid.errors().get(0);
        assertEquals(Code.NOT_JSON, error.code());
        assertEquals(Optional.empty(), error.field());
        assertTrue(error.message().startsWith("not JSON (") && error.message().contains("line 2, column"), error.message());
        assertTrue(error.message().endsWith("): expected a JSON object"), error.message());
        System.out.println(error.message());
    }

    @Test
    void emptyInputRepeatedFieldsAndTrailingTextAreNotJson() {
        for (String json : List.of("", "   ", "{\"apiVersion\": \"diffarm/v1\", \"apiVersion\": \"diffarm/v1\"}", "{} {}")) {
            ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse(json));
            assertEquals(Code.NOT_JSON, invalid.errors().get(0).code(), json);
            System.out.println(invalid.errors().get(0).message());
        }
        assertEquals(Code.NOT_JSON, ((ParseResult.Invalid) parser.parse(new byte[] {(byte) 0xff, (byte) 0xfe, 0x7b}))
                .errors().get(0).code());
    }

    @Test
    void jsonThatIsNoObjectSaysWhatItIs() {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse("[1, 2]"));

        assertEquals(List.of(new ValidationError(Code.NOT_AN_OBJECT, Optional.empty(), Optional.of("[1,2]"),
                "the document is an array [1,2]: expected a JSON object")), invalid.errors());
    }

    @Test
    void everyProblemIsReportedInDocumentOrderAndTheValidIdKept() {
        ParseResult.Invalid invalid = assertInstanceOf(ParseResult.Invalid.class, parser.parse("""
                {"apiVersion": "diffarm/v1", "kind": "campaign", "id": "camp-7", "prompts": ["a", ""],
                 "steps": -1, "styles": [{"name": "s", "template": "no placeholder"}], "sizes": [{"width": 100000, "height": 12}],
                 "colour": "red"}
                """));

        assertEquals(Optional.of("camp-7"), invalid.jobId());
        assertEquals(List.of("prompts[1]", "steps", "styles[0].template", "sizes[0].width", "sizes[0].height", "colour",
                "model"), invalid.errors().stream().map(error -> error.field().orElse("-")).toList());
    }

    @Test
    void anInvalidIdIsNotReportedAsTheJobsId() {
        ParseResult result = parser.parse("{" + RENDER.replace("job-1", "a/b") + ", \"prompts\": [\"p\"]}");

        assertEquals(Optional.empty(), result.jobId());
    }

    @Test
    void jobsBuiltInJavaObeyTheSameRulesWithTheSameMessages() {
        RenderSettings settings = RenderSettings.defaults("sd15");

        assertEquals("steps = -1: expected an integer in 1..1000",
                assertThrows(IllegalArgumentException.class, () -> settings.withSteps(-1)).getMessage());
        assertEquals("width = 100000: expected a multiple of 8 in 8..4096 pixels",
                assertThrows(IllegalArgumentException.class, () -> new Size(100000, 512)).getMessage());
        assertEquals("prompts[1] = \"a\": expected a prompt not listed before (prompts[0] has it)",
                assertThrows(IllegalArgumentException.class,
                        () -> new RenderJob("j", List.of("a", "a"), settings)).getMessage());
        assertEquals("seeds[0] = 4294967296: expected an integer in 0..4294967295 (an unsigned 32-bit seed)",
                assertThrows(IllegalArgumentException.class, () -> new RenderJob("j", List.of("a"),
                        List.of(1L << 32), Defaults.SIZE, settings)).getMessage());
        assertEquals("template = \"oil\": expected a template containing {prompt}, of at most 10000 characters",
                assertThrows(IllegalArgumentException.class, () -> new Style("oil", "oil")).getMessage());
        assertEquals("styles = []: expected at least one style name",
                assertThrows(IllegalArgumentException.class, () -> new Campaign("c", List.of("p"), List.of(1L),
                        List.of(Defaults.SIZE), List.of(), settings)).getMessage());
    }

    private static Arguments bad(String json, Code code, String field, String value, String message) {
        return Arguments.of(json, code, field, value, message);
    }

    private static String prompts(int n) {
        return Stream.iterate(0, i -> i + 1).limit(n).map(i -> "\"p" + i + "\"").toList().toString();
    }

    private static String range(int n) {
        return Stream.iterate(0, i -> i + 1).limit(n).map(String::valueOf).toList().toString();
    }
}

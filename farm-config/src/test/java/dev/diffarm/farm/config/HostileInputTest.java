package dev.diffarm.farm.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Input written to hurt: each refused early, with one short answer naming the field. */
class HostileInputTest {
    private static final String RENDER = "\"apiVersion\": \"diffarm/v1\", \"kind\": \"render\", \"id\": \"job-1\", \"model\": \"sd15\"";

    private final JobParser parser = new JobParser();

    @Test
    void aHundredThousandSeedsGetOneShortError() {
        String seeds = IntStream.range(0, 100_000).mapToObj(Integer::toString).collect(Collectors.joining(",", "[", "]"));
        ParseResult.Invalid invalid = invalid("{" + RENDER + ", \"prompts\": [\"p\"], \"seeds\": " + seeds + "}");
        assertEquals(1, invalid.errors().size());
        ValidationError error = invalid.errors().get(0);
        assertEquals(Optional.of("seeds"), error.field());
        assertTrue(error.message().endsWith(": expected at most 10000 items (it has 100000)"), error.message());
        assertTrue(error.message().length() < 200, error.message());
    }

    @Test
    void theErrorsOfOneSubmissionAreCapped() {
        // 10,000 seeds (the list cap), every one out of range: one error each would be a 1 MB answer.
        String seeds = IntStream.range(0, 10_000).mapToObj(i -> "-" + (i + 1)).collect(Collectors.joining(",", "[", "]"));
        ParseResult.Invalid invalid = invalid("{" + RENDER + ", \"prompts\": [\"p\"], \"seeds\": " + seeds + "}");
        assertEquals(Limits.MAX_ERRORS + 1, invalid.errors().size());
        ValidationError last = invalid.errors().get(Limits.MAX_ERRORS);
        assertEquals(ValidationError.Code.TOO_MANY_PROBLEMS, last.code());
        assertEquals("9950 more problems are not listed (the first 50 are)", last.message());
    }

    @Test
    void hugeExponentsAreRefusedWithoutExpandingThem() {
        // Before: each 1e99999 became a 100,000-digit integer (~13 ms of CPU), so 2000 of them in 16 KB took ~26 s.
        String seeds = IntStream.range(0, 2000).mapToObj(i -> "1e" + (90_000 + i)).collect(Collectors.joining(",", "[", "]"));
        long start = System.nanoTime();
        ParseResult.Invalid invalid = invalid("{" + RENDER + ", \"prompts\": [\"p\"], \"steps\": 1e99999, \"seeds\": " + seeds + "}");
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("2001 numbers like 1e99999 refused in %.3f s%n", seconds);
        assertEquals("steps = 1E+99999: expected an integer in 1..1000", invalid.errors().get(0).message());
        assertEquals(Optional.of("seeds[0]"), invalid.errors().get(1).field());
        assertTrue(seconds < 5, "took " + seconds + " s");
    }

    @Test
    void deepNestingAndLongNumbersAreNotJson() {
        String deep = "[".repeat(5000) + "]".repeat(5000);
        ValidationError nested = invalid("{" + RENDER + ", \"prompts\": " + deep + "}").errors().get(0);
        assertEquals(ValidationError.Code.NOT_JSON, nested.code());
        assertTrue(nested.message().contains("nesting depth"), nested.message());
        ValidationError longNumber = invalid("{" + RENDER + ", \"prompts\": [\"p\"], \"steps\": 1" + "0".repeat(5000) + "}")
                .errors().get(0);
        assertEquals(ValidationError.Code.NOT_JSON, longNumber.code());
        assertTrue(longNumber.message().contains("Number value length"), longNumber.message());
    }

    @Test
    void controlCharactersInTextAndNamesAreRefusedNamingTheField() {
        ValidationError nul = invalid("{" + RENDER + ", \"prompts\": [\"a cat\", \"a\\u0000dog\"]}").errors().get(0);
        assertEquals(Optional.of("prompts[1]"), nul.field());
        assertEquals("prompts[1] = \"a\\u0000dog\": expected no control characters but tab and newline (U+0000 at index 1)",
                nul.message());
        ValidationError escape = invalid("{" + RENDER + ", \"prompts\": [\"p\"], \"negativePrompt\": \"\\u001b[2J\"}")
                .errors().get(0);
        assertEquals(Optional.of("negativePrompt"), escape.field());
        ValidationError name = invalid("{" + RENDER.replace("sd15", "sd15\\nINFO forged") + ", \"prompts\": [\"p\"]}")
                .errors().get(0);
        assertEquals(Optional.of("model"), name.field());
        ValidationError path = invalid("{" + RENDER + ", \"prompts\": [\"p\"], \"loras\": [{\"name\": \"../../x\"}]}")
                .errors().get(0);
        assertEquals(Optional.of("loras[0].name"), path.field());
        assertInstanceOf(ParseResult.Valid.class, parser.parse("{" + RENDER + ", \"prompts\": [\"line one\\n\\tline two\"],"
                + " \"sampler\": \"DPM++ 2M\"}"));
    }

    @Test
    void malformedLoraTagsAreRefusedAtIntake() {
        for (String prompt : List.of("a <lora:grain", "a <lora:gr\\nain:1>", "a <lora:grain:x>", "a <lora:grain:1:2>",
                "a <lora::1>", "a <lora:grain:11>", "<lora:a<lora:b>")) {
            ValidationError error = invalid("{" + RENDER + ", \"prompts\": [\"" + prompt + "\"]}").errors().get(0);
            assertEquals(Optional.of("prompts[0]"), error.field(), prompt);
            assertTrue(error.message().contains("expected LoRA tags written <lora:NAME> or <lora:NAME:WEIGHT>"),
                    error.message());
        }
        for (String prompt : List.of("a <lora:grain>", "a <lora:film grain:0.5> b", "<lora:x:-1.25><lora:y: 2 >",
                "an <lora> word", "<hypernet:x:1>")) {
            assertInstanceOf(ParseResult.Valid.class, parser.parse("{" + RENDER + ", \"prompts\": [\"" + prompt + "\"]}"),
                    prompt);
        }
        ValidationError template = invalid("{\"apiVersion\": \"diffarm/v1\", \"kind\": \"campaign\", \"id\": \"c\", \"model\": "
                + "\"m\", \"prompts\": [\"p\"], \"styles\": [{\"name\": \"s\", \"template\": \"{prompt} <lora:x\"}]}")
                .errors().get(0);
        assertEquals(Optional.of("styles[0].template"), template.field());
    }

    private ParseResult.Invalid invalid(String json) {
        return assertInstanceOf(ParseResult.Invalid.class, parser.parse(json));
    }
}

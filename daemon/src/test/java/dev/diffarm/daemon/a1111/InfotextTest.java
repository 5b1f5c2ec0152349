package dev.diffarm.daemon.a1111;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A1111's infotext read back into fields, as its PNG Info does. */
class InfotextTest {
    @Test
    void readsPromptNegativePromptAndTheParametersLine() {
        Map<String, String> fields = Infotext.parse("""
                a cat, oil painting
                on a chair
                Negative prompt: blurry,
                ugly
                Steps: 20, Sampler: DPM++ 2M, Schedule type: Karras, CFG scale: 7, Seed: 42, Size: 512x768, \
                Lora hashes: "house: 0a1b, style: 2c3d", Model: sd15""");
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("Prompt", "a cat, oil painting\non a chair");
        expected.put("Negative prompt", "blurry,\nugly");
        expected.put("Steps", "20");
        expected.put("Sampler", "DPM++ 2M");
        expected.put("Schedule type", "Karras");
        expected.put("CFG scale", "7");
        expected.put("Seed", "42");
        expected.put("Size", "512x768");
        expected.put("Size-1", "512");
        expected.put("Size-2", "768");
        expected.put("Lora hashes", "house: 0a1b, style: 2c3d");
        expected.put("Model", "sd15");
        assertEquals(expected, fields);
    }

    @Test
    void aLastLineOfFewerThanThreePairsIsPartOfThePrompt() {
        Map<String, String> fields = Infotext.parse("a portrait\nlighting: soft, mood: calm");
        assertEquals("a portrait\nlighting: soft, mood: calm", fields.get("Prompt"));
        assertEquals(2, fields.size(), fields.toString());
    }

    @Test
    void anUnterminatedQuoteOrAnOddLineDoesNotStopTheReading() {
        Map<String, String> pairs = Infotext.pairs("Steps: 5, junk, Note: \"open, Seed: 1");
        assertEquals("5", pairs.get("Steps"));
        assertEquals("\"open, Seed: 1", pairs.get("Note"));
        String longQuoted = "Steps: 1, Sampler: Euler, Note: \"" + "x\\\"".repeat(200_000) + "\"";
        // x\" unquoted is x": a long quoted value is read without recursion (a regular expression overflows here)
        assertEquals(400_000, Infotext.pairs(longQuoted).get("Note").length());
    }
}

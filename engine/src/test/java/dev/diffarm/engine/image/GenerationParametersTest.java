package dev.diffarm.engine.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.prompt.Emphasis;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class GenerationParametersTest {
    private static GenerationParameters cat(String negative, double cfg) {
        return new GenerationParameters("a painting of a cat in the snow", negative, 20, "Euler a", cfg, 42, 512, 768,
                "6ce0161689", "v1-5-pruned-emaonly");
    }

    @Test
    void writesA1111sInfotext() {
        assertEquals("a painting of a cat in the snow\n"
                        + "Negative prompt: ugly, blurry\n"
                        + "Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x768, Model hash: 6ce0161689, "
                        + "Model: v1-5-pruned-emaonly",
                cat("ugly, blurry", 7.5).toInfotext());
    }

    @Test
    void omitsAnEmptyNegativePrompt() {
        assertEquals("a painting of a cat in the snow\n"
                        + "Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x768, Model hash: 6ce0161689, "
                        + "Model: v1-5-pruned-emaonly",
                cat("", 7.5).toInfotext());
    }

    /** A1111's web UI passes a whole CFG scale as a JSON integer: its own example infotext reads "CFG scale: 7". */
    @Test
    void writesAWholeCfgScaleWithoutAFraction() {
        assertEquals("CFG scale: 7", paramsLine(cat("", 7.0)).split(", ")[2]);
        assertEquals("CFG scale: 12", paramsLine(cat("", 12)).split(", ")[2]);
        assertEquals("CFG scale: 5.25", paramsLine(cat("", 5.25)).split(", ")[2]);
    }

    @Test
    void appendsExtrasInOrderAndClipSkipOnlyAboveOne() {
        GenerationParameters p = cat("", 7.5).withClipSkip(2).with("Denoising strength", GenerationParameters.number(0.75))
                .with("ENSD", "31337");
        assertEquals("Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x768, Model hash: 6ce0161689, "
                + "Model: v1-5-pruned-emaonly, Clip skip: 2, Denoising strength: 0.75, ENSD: 31337", paramsLine(p));
        GenerationParameters unchanged = cat("", 7.5);
        assertSame(unchanged, unchanged.withClipSkip(1));
        assertThrows(IllegalArgumentException.class, () -> unchanged.with("Seed", "1"), "standard field");
        assertThrows(IllegalArgumentException.class, () -> p.with("ENSD", "0"), "already set");
        assertThrows(IllegalArgumentException.class, () -> unchanged.withClipSkip(0));
    }

    /** A1111 1.9+ writes the schedule as its own field right after the sampler, whatever extras came before it. */
    @Test
    void writesTheScheduleTypeNextToTheSampler() {
        GenerationParameters p = cat("", 7.5).withClipSkip(2).withScheduleType(Optional.of("Karras"));
        assertEquals("Steps: 20, Sampler: Euler a, Schedule type: Karras, CFG scale: 7.5, Seed: 42, Size: 512x768, "
                + "Model hash: 6ce0161689, Model: v1-5-pruned-emaonly, Clip skip: 2", paramsLine(p));
        GenerationParameters unchanged = cat("", 7.5);
        assertSame(unchanged, unchanged.withScheduleType(Optional.empty()), "the model's own schedule is not written");
    }

    /** A1111 quotes values holding ',', ':' or a newline with json.dumps(ensure_ascii=False); prompts are never quoted. */
    @Test
    void quotesValuesThatWouldNotParseBack() {
        GenerationParameters p = new GenerationParameters("a cat: in snow, at night", "", 20, "Euler a", 7.5, 1, 64, 64,
                "0123456789", "models/sd, v1:5").with("Lora hashes", "cat: 1a2b, dog: \"3c\"\\x\ty\u0001é");
        assertEquals("a cat: in snow, at night\nSteps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 1, Size: 64x64, "
                + "Model hash: 0123456789, Model: \"models/sd, v1:5\", "
                + "Lora hashes: \"cat: 1a2b, dog: \\\"3c\\\"\\\\x\\ty\\u0001é\"", p.toInfotext());
        assertTrue(paramsLine(cat("", 7).with("Tiling", "Tiling")).endsWith("Model: v1-5-pruned-emaonly, Tiling"),
                "a flag whose value is its key is written bare");
    }

    @Test
    void stripsSurroundingWhitespaceAsPythonDoes() {
        GenerationParameters p = new GenerationParameters("\u00a0 \n a cat", "", 1, "DDIM", 1, 0, 8, 8, "0000000000", "m");
        assertEquals("a cat\nSteps: 1, Sampler: DDIM, CFG scale: 1, Seed: 0, Size: 8x8, Model hash: 0000000000, Model: m",
                p.toInfotext());
        assertEquals("Steps: 1, Sampler: DDIM, CFG scale: 1, Seed: 0, Size: 8x8, Model hash: 0000000000, Model: m",
                new GenerationParameters("", "", 1, "DDIM", 1, 0, 8, 8, "0000000000", "m").toInfotext());
    }

    /** Expected strings are Python 3's repr of the same doubles. */
    @Test
    void formatsFractionsAsPythonsRepr() {
        double[] values = {7.5, 0.1, 1e-05, 1.5e-05, 0.0001, 1.0 / 3, 2.0 / 3, 0.1 + 0.2, Math.scalb(1.0, -30), 0.75,
                123.456, Double.MIN_VALUE, 1e-4 * 3, 12.345678901234567, -0.5};
        String[] python = {"7.5", "0.1", "1e-05", "1.5e-05", "0.0001", "0.3333333333333333", "0.6666666666666666",
                "0.30000000000000004", "9.313225746154785e-10", "0.75", "123.456", "5e-324", "0.00030000000000000003",
                "12.345678901234567", "-0.5"};
        for (int i = 0; i < values.length; i++) {
            assertEquals(python[i], GenerationParameters.number(values[i]), "repr of " + values[i]);
        }
        assertEquals("20", GenerationParameters.number(20.0));
        assertThrows(IllegalArgumentException.class, () -> GenerationParameters.number(Double.NaN));
    }

    private static String paramsLine(GenerationParameters p) {
        String text = p.toInfotext();
        return text.substring(text.lastIndexOf('\n') + 1);
    }

    /** A1111: {@code name: shorthash} joined by ", " (hence quoted), colons and commas dropped from names. */
    @Test
    void textualInversionHashesAreOneQuotedList() {
        GenerationParameters p = cat("", 7.5).withTextualInversionHashes(List.of(
                new NamedHash("zwx-style", "0123456789ab"), new NamedHash("odd:name,x", "ba9876543210")));
        assertTrue(paramsLine(p).endsWith(", TI hashes: \"zwx-style: 0123456789ab, oddnamex: ba9876543210\""),
                paramsLine(p));
        GenerationParameters none = cat("", 7.5);
        assertSame(none, none.withTextualInversionHashes(List.of()));
    }

    /** A1111 writes the mode only when it is not its default and some prompt has a bracket. */
    @Test
    void emphasisIsWrittenOnlyWhenItMatters() {
        GenerationParameters plain = cat("ugly", 7.5);
        assertSame(plain, plain.withEmphasis(Emphasis.NONE));
        GenerationParameters bracketed = cat("(ugly)", 7.5);
        assertSame(bracketed, bracketed.withEmphasis(Emphasis.ORIGINAL));
        assertTrue(paramsLine(bracketed.withEmphasis(Emphasis.NONE)).endsWith(", Emphasis: None"));
    }
}

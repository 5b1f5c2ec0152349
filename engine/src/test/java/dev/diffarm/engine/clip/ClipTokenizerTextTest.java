package dev.diffarm.engine.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Arrays;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The text handling of transformers' CLIPTokenizer without ftfy (BasicTokenizer cleanup, CLIP's pre-tokeniser,
 * special tokens in the text), checked on the tiny vocabulary by comparing texts that must, or must not,
 * tokenize alike.
 */
class ClipTokenizerTextTest {
    private static ClipTokenizer tokenizer;

    @BeforeAll
    static void load() {
        tokenizer = ClipTokenizer.load(ClipFixtures.tinyTokenizerDir());
    }

    private static int[] ids(String text) {
        return tokenizer.tokenize(text);
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    @Test
    void whitespaceIsCollapsedAndTrimmed() {
        int[] plain = ids("a photo of zwx person");
        assertEquals(5, plain.length);
        assertArrayEquals(plain, ids("  a  photo\tof\n zwx\r\nperson "));
        assertArrayEquals(plain, ids("a\u00A0photo\u2003of\u2028zwx\u3000person"), "space separators and U+2028");
    }

    @Test
    void textIsLowerCased() {
        assertArrayEquals(ids("a photo of zwx person"), ids("A PHOTO Of ZWX Person"));
    }

    @Test
    void controlAndFormatCharactersAreDropped() {
        assertArrayEquals(ids("a photo"), ids("a pho\u200Bto\u0000"), "zero-width space (Cf) and NUL");
        assertArrayEquals(ids("a photo"), ids("a pho\u0007t\uE000o\uFFFD"), "BEL (Cc), private use, U+FFFD");
        assertArrayEquals(ids("a photo"), ids("a pho\u000Bto"), "vertical tab is a control character, not a space");
    }

    @Test
    void capitalSigmaIsLowerCasedInPythonsFinalSigmaContext() {
        assertArrayEquals(ids("a\u03C2"), ids("a\u03A3"), "after a letter, at the end: final sigma");
        assertArrayEquals(ids("a\u0301\u03C2"), ids("a\u0301\u03A3"), "a combining mark between is skipped");
        assertArrayEquals(ids("8\u03C3"), ids("8\u03A3"), "after a digit: not final (Java's word rule says final)");
        assertArrayEquals(ids("\u03C3\u03B1\u03C2"), ids("\u03A3\u0391\u03A3"));
        assertFalse(Arrays.equals(ids("a\u03C2"), ids("a\u03C3")), "the two sigmas are different tokens");
    }

    @Test
    void ypogegrammeniMatchesNoPreTokenAndIsSkipped() {
        assertArrayEquals(concat(ids("a"), ids("b")), ids("a\u0345b"));
        assertEquals(0, ids("\u0345").length);
    }

    @Test
    void textIsComposedToNfc() {
        assertArrayEquals(ids("caf\u00e9"), ids("cafe\u0301"));
    }

    @Test
    void emptyAndBlankTextHaveNoTokens() {
        assertEquals(0, ids("").length);
        assertEquals(0, ids(" \t\n\u200B").length);
    }

    @Test
    void digitsAreSeparateWords() {
        assertArrayEquals(concat(ids("1"), ids("2"), ids("3")), ids("123"));
    }

    @Test
    void contractionsArePreTokensOfTheirOwn() {
        int[] dogApostropheS = ids("dog's");
        assertArrayEquals(concat(ids("dog"), ids("'s")), dogApostropheS);
        assertFalse(Arrays.equals(concat(ids("dog"), ids("'"), ids("s")), dogApostropheS),
                "'s must be BPE-encoded as one word, not as ' and s");
    }

    @Test
    void cjkIdeographsAreSeparateWords() {
        int[] cat = ids("\u732b");
        assertArrayEquals(concat(cat, cat), ids("\u732b\u732b"));
    }

    @Test
    void punctuationRunsAreOneWord() {
        assertFalse(Arrays.equals(concat(ids("!"), ids("!")), ids("!!")), "!! is one pre-token");
        assertArrayEquals(concat(ids("a"), ids("!!"), ids("b")), ids("a!!b"));
    }

    @Test
    void specialTokensInTheTextAreRecognised() {
        assertArrayEquals(concat(ids("a"), new int[] {tokenizer.eos()}, ids("photo")), ids("a<|endoftext|>photo"));
        assertArrayEquals(concat(ids("!"), new int[] {tokenizer.bos()}), ids("!<|startoftext|>"),
                "split out before the pre-tokeniser could glue it to the punctuation");
        assertArrayEquals(concat(ids("a"), new int[] {tokenizer.eos()}), ids("a <|EndOfText|>"),
                "lower-cased by the cleanup, then matched by the pre-tokeniser");
    }

    @Test
    void truncatedEncodingFramesAndPads() {
        int[] tokens = ids("a photo of zwx person");
        int[] framed = tokenizer.encodeTruncated("a photo of zwx person");
        assertEquals(77, framed.length);
        assertEquals(tokenizer.bos(), framed[0]);
        assertArrayEquals(tokens, Arrays.copyOfRange(framed, 1, 1 + tokens.length));
        for (int i = 1 + tokens.length; i < 77; i++) {
            assertEquals(i == 1 + tokens.length ? tokenizer.eos() : tokenizer.pad(), framed[i], "position " + i);
        }
    }
}

package dev.diffarm.engine.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** AUTOMATIC1111's chunking: framing, chunk boundaries and the comma backtrack. */
class PromptChunkerTest {
    private static final int BOS = 900;
    private static final int EOS = 901;
    private static final int PAD = 902;
    private static final int COMMA = 7;
    private static final int WORD = 1;

    private final PromptChunker chunker = new PromptChunker(BOS, EOS, PAD, 77, COMMA);

    /** {@code count} copies of {@code token}. */
    private static int[] repeat(int token, int count) {
        int[] tokens = new int[count];
        Arrays.fill(tokens, token);
        return tokens;
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    private static int[] framed(int... tokens) {
        int[] expected = repeat(PAD, 77);
        expected[0] = BOS;
        System.arraycopy(tokens, 0, expected, 1, tokens.length);
        expected[1 + tokens.length] = EOS;
        return expected;
    }

    private static void assertChunks(List<int[]> actual, int[]... expectedContents) {
        assertEquals(expectedContents.length, actual.size(), "number of chunks");
        for (int i = 0; i < expectedContents.length; i++) {
            assertArrayEquals(framed(expectedContents[i]), actual.get(i), "chunk " + i);
        }
    }

    @Test
    void emptyPromptGivesOneChunk() {
        assertChunks(chunker.chunks(new int[0]), new int[0]);
    }

    @Test
    void chunksHoldSeventyFiveTokens() {
        assertChunks(chunker.chunks(repeat(WORD, 75)), repeat(WORD, 75));
        assertChunks(chunker.chunks(repeat(WORD, 76)), repeat(WORD, 75), repeat(WORD, 1));
        assertChunks(chunker.chunks(repeat(WORD, 150)), repeat(WORD, 75), repeat(WORD, 75));
    }

    @Test
    void fullChunkIsCutAfterACommaAmongItsLastTwenty() {
        int[] tokens = concat(repeat(WORD, 60), new int[] {COMMA}, repeat(WORD, 20));
        assertChunks(chunker.chunks(tokens), concat(repeat(WORD, 60), new int[] {COMMA}), repeat(WORD, 20));
        int[] atTheLimit = concat(repeat(WORD, 55), new int[] {COMMA}, repeat(WORD, 25));
        assertChunks(chunker.chunks(atTheLimit), concat(repeat(WORD, 55), new int[] {COMMA}), repeat(WORD, 25));
    }

    @Test
    void commaFurtherBackDoesNotCut() {
        int[] tokens = concat(repeat(WORD, 54), new int[] {COMMA}, repeat(WORD, 30));
        assertChunks(chunker.chunks(tokens), concat(repeat(WORD, 54), new int[] {COMMA}, repeat(WORD, 20)),
                repeat(WORD, 10));
    }

    @Test
    void noCutWithoutATokenAfterTheFullChunkOrWhenItIsAComma() {
        int[] exactlyFull = concat(repeat(WORD, 70), new int[] {COMMA}, repeat(WORD, 4));
        assertChunks(chunker.chunks(exactlyFull), exactlyFull);
        int[] commaNext = concat(repeat(WORD, 70), new int[] {COMMA}, repeat(WORD, 4), new int[] {COMMA, WORD});
        assertChunks(chunker.chunks(commaNext), exactlyFull, new int[] {COMMA, WORD});
    }

    @Test
    void vocabularyWithoutCommaNeverCuts() {
        PromptChunker noComma = new PromptChunker(BOS, EOS, PAD, 77, -1);
        int[] tokens = concat(repeat(WORD, 60), new int[] {COMMA}, repeat(WORD, 20));
        assertChunks(noComma.chunks(tokens), Arrays.copyOf(tokens, 75), Arrays.copyOfRange(tokens, 75, 81));
    }

    @Test
    void referencePromptsChunkIntoTheirRawIds() {
        ClipTokenizer tokenizer = ClipTokenizer.load(ClipFixtures.tinyTokenizerDir());
        List<String> prompts = ClipFixtures.prompts("text");
        int longest = 0;
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("text.safetensors"))) {
            for (int i = 0; i < prompts.size(); i++) {
                int[] raw = ClipFixtures.rawIds(reference, "prompt" + i + ".raw_ids");
                List<int[]> chunks = tokenizer.encodeChunks(prompts.get(i));
                longest = Math.max(longest, chunks.size());
                assertEquals(Math.max(1, (raw.length + 74) / 75), chunks.size(), "chunks of prompt" + i);
                assertArrayEquals(ClipFixtures.ids(reference, "prompt" + i + ".ids"), chunks.get(0),
                        "the first chunk is transformers' truncated encoding");
                for (int c = 0; c < chunks.size(); c++) {
                    int[] chunk = chunks.get(c);
                    int end = Math.min(raw.length, 75 * (c + 1));
                    assertEquals(77, chunk.length);
                    assertEquals(tokenizer.bos(), chunk[0]);
                    assertArrayEquals(Arrays.copyOfRange(raw, 75 * c, end), Arrays.copyOfRange(chunk, 1, 1 + end - 75 * c));
                    assertEquals(tokenizer.eos(), chunk[1 + end - 75 * c]);
                }
            }
        }
        assertEquals(2, longest, "the reference's long prompt (over 75 tokens) gives two chunks");
    }

    @Test
    void tokenizerCutsAtACommaOfThePrompt() {
        ClipTokenizer tokenizer = ClipTokenizer.load(ClipFixtures.tinyTokenizerDir());
        int dog = tokenizer.tokenize("dog")[0];
        int cat = tokenizer.tokenize("cat")[0];
        int comma = tokenizer.tokenize(",")[0];
        String prompt = "dog ".repeat(60) + ", " + "cat ".repeat(20);
        List<int[]> chunks = tokenizer.encodeChunks(prompt);
        assertEquals(2, chunks.size());
        int[] first = repeat(tokenizer.pad(), 77);
        first[0] = tokenizer.bos();
        Arrays.fill(first, 1, 61, dog);
        first[61] = comma;
        first[62] = tokenizer.eos();
        assertArrayEquals(first, chunks.get(0));
        int[] second = repeat(tokenizer.pad(), 77);
        second[0] = tokenizer.bos();
        Arrays.fill(second, 1, 21, cat);
        second[21] = tokenizer.eos();
        assertArrayEquals(second, chunks.get(1));
    }
}

package dev.diffarm.engine.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    /** Two vectors standing in for a textual-inversion embedding. */
    private static final TokenVectors TWO_VECTORS = vectors(2);

    private static TokenVectors vectors(int count) {
        return new TokenVectors() {
            @Override
            public int count() {
                return count;
            }

            @Override
            public int width() {
                return 4;
            }

            @Override
            public float[] values() {
                return new float[count * 4];
            }
        };
    }

    private static List<ChunkItem> words(int count, float weight) {
        return java.util.Collections.nCopies(count, new ChunkItem.Token(WORD, weight));
    }

    @SafeVarargs
    private static List<ChunkItem> items(List<ChunkItem>... parts) {
        return Arrays.stream(parts).flatMap(List::stream).toList();
    }

    @Test
    void weightsStayWithTheirTokensAndFramingHasWeightOne() {
        List<PromptChunk> chunks = chunker.chunks(items(words(2, 1f), words(3, 1.5f), words(1, 0.5f)));
        assertEquals(1, chunks.size());
        float[] expected = new float[77];
        Arrays.fill(expected, 1f);
        Arrays.fill(expected, 3, 6, 1.5f);
        expected[6] = 0.5f;
        assertArrayEquals(expected, chunks.get(0).weights());
        assertArrayEquals(framed(repeat(WORD, 6)), chunks.get(0).ids());
        assertEquals(true, chunks.get(0).weighted());
    }

    @Test
    void weightsFollowTokensIntoTheNextChunk() {
        List<PromptChunk> chunks = chunker.chunks(items(words(75, 1f), words(2, 1.2f)));
        assertEquals(2, chunks.size());
        assertEquals(false, chunks.get(0).weighted());
        assertEquals(1.2f, chunks.get(1).weights()[1]);
        assertEquals(1.2f, chunks.get(1).weights()[2]);
        assertEquals(1f, chunks.get(1).weights()[3]);
    }

    @Test
    void breakEndsTheChunkEvenAnEmptyOne() {
        ChunkItem breakItem = new ChunkItem.Break();
        List<PromptChunk> chunks = chunker.chunks(items(words(3, 1f), List.of(breakItem), words(2, 1f)));
        assertEquals(List.of(3, 2), chunks.stream().map(PromptChunkerTest::tokenCount).toList());
        assertEquals(List.of(0, 2), chunker.chunks(items(List.of(breakItem), words(2, 1f))).stream()
                .map(PromptChunkerTest::tokenCount).toList());
        assertEquals(List.of(2), chunker.chunks(items(words(2, 1f), List.of(breakItem))).stream()
                .map(PromptChunkerTest::tokenCount).toList());
    }

    /** Tokens between the start and the end token. */
    private static int tokenCount(PromptChunk chunk) {
        int end = 1;
        while (chunk.ids()[end] != EOS) {
            end++;
        }
        return end - 1;
    }

    @Test
    void vectorsTakeTheirPositionsWithTheirWeight() {
        List<PromptChunk> chunks = chunker.chunks(items(words(3, 1f),
                List.of(new ChunkItem.Vectors(TWO_VECTORS, 1.3f)), words(1, 1f)));
        PromptChunk chunk = chunks.get(0);
        assertEquals(List.of(new PromptChunk.Slot(4, TWO_VECTORS)), chunk.vectors());
        assertArrayEquals(framed(WORD, WORD, WORD, 0, 0, WORD), chunk.ids());
        assertEquals(1.3f, chunk.weights()[4]);
        assertEquals(1.3f, chunk.weights()[5]);
        assertEquals(1f, chunk.weights()[6]);
    }

    @Test
    void vectorsThatDoNotFitStartTheNextChunk() {
        List<PromptChunk> chunks = chunker.chunks(items(words(74, 1f),
                List.of(new ChunkItem.Vectors(TWO_VECTORS, 1f))));
        assertEquals(2, chunks.size());
        assertEquals(74, tokenCount(chunks.get(0)));
        assertEquals(List.of(), chunks.get(0).vectors());
        assertEquals(List.of(new PromptChunk.Slot(1, TWO_VECTORS)), chunks.get(1).vectors());
    }

    @Test
    void commaBacktrackMovesVectorsWithTheirTokens() {
        List<ChunkItem> items = items(words(60, 1f), List.of(new ChunkItem.Token(COMMA, 1f)), words(12, 1f),
                List.of(new ChunkItem.Vectors(TWO_VECTORS, 1f)), words(1, 1f));
        List<PromptChunk> chunks = chunker.chunks(items);
        assertEquals(2, chunks.size());
        assertEquals(61, tokenCount(chunks.get(0)));
        assertEquals(List.of(), chunks.get(0).vectors());
        assertEquals(List.of(new PromptChunk.Slot(13, TWO_VECTORS)), chunks.get(1).vectors());
        assertEquals(15, tokenCount(chunks.get(1)));
    }

    @Test
    void moreVectorsThanAChunkHoldsAreRefused() {
        assertThrows(IllegalArgumentException.class,
                () -> chunker.chunks(List.of(new ChunkItem.Vectors(vectors(76), 1f))));
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

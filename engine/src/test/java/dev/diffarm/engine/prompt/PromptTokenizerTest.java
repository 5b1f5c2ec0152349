package dev.diffarm.engine.prompt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.clip.ClipTokenizer;
import dev.diffarm.engine.clip.PromptChunk;
import dev.diffarm.engine.embedding.EmbeddingException;
import dev.diffarm.engine.embedding.EmbeddingFile;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import dev.diffarm.engine.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Weighted prompts laid out as A1111 lays them out: each piece tokenized alone, weights on its tokens. */
class PromptTokenizerTest {
    private final ClipTokenizer clip = ClipTokenizer.load(Fixtures.sdTiny("model/tokenizer"));
    private final PromptTokenizer tokenizer = new PromptTokenizer(clip, EmbeddingLibrary.none(), 32);

    private int[] ids(String text) {
        return clip.tokenize(text);
    }

    private static int[] concat(int[]... parts) {
        return Arrays.stream(parts).flatMapToInt(IntStream::of).toArray();
    }

    /** The chunk's tokens between its start and end token. */
    private int[] tokens(PromptChunk chunk) {
        int end = 1;
        while (chunk.ids()[end] != clip.eos()) {
            end++;
        }
        return Arrays.copyOfRange(chunk.ids(), 1, end);
    }

    private static float[] weights(PromptChunk chunk, int count) {
        return Arrays.copyOfRange(chunk.weights(), 1, 1 + count);
    }

    private static float[] repeat(float weight, int count) {
        float[] weights = new float[count];
        Arrays.fill(weights, weight);
        return weights;
    }

    private static float[] concat(float[]... parts) {
        int n = Arrays.stream(parts).mapToInt(p -> p.length).sum();
        float[] all = new float[n];
        int at = 0;
        for (float[] part : parts) {
            System.arraycopy(part, 0, all, at, part.length);
            at += part.length;
        }
        return all;
    }

    @Test
    void eachPieceIsTokenizedWithItsWeight() {
        PromptChunk chunk = tokenizer.tokenize("a painting of a (cat:1.3) in [the snow]", Emphasis.ORIGINAL).chunks().get(0);
        int[] plain = ids("a painting of a ");
        int[] cat = ids("cat");
        int[] in = ids(" in ");
        int[] snow = ids("the snow");
        assertArrayEquals(concat(plain, cat, in, snow), tokens(chunk));
        float[] expected = concat(repeat(1f, plain.length), repeat(1.3f, cat.length), repeat(1f, in.length),
                repeat((float) (1 / 1.1), snow.length));
        assertArrayEquals(expected, weights(chunk, expected.length));
        assertEquals(1f, chunk.weights()[0]);
        assertEquals(1f, chunk.weights()[1 + expected.length]);
    }

    @Test
    void withoutEmphasisBracketsAreTokens() {
        String prompt = "a painting of a cat in the snow, (masterpiece:1.2)";
        PromptChunk chunk = tokenizer.tokenize(prompt, Emphasis.NONE).chunks().get(0);
        assertArrayEquals(clip.encodeTruncated(prompt), chunk.ids());
        assertEquals(false, chunk.weighted());
    }

    @Test
    void unweightedPromptGivesTheTokenizersChunks() {
        String prompt = "a photo of a dog in the park ".repeat(12);
        List<PromptChunk> chunks = tokenizer.tokenize(prompt, Emphasis.ORIGINAL).chunks();
        List<int[]> expected = clip.encodeChunks(prompt);
        assertEquals(expected.size(), chunks.size());
        for (int i = 0; i < chunks.size(); i++) {
            assertArrayEquals(expected.get(i), chunks.get(i).ids(), "chunk " + i);
        }
    }

    @Test
    void breakStartsANewChunk() {
        List<PromptChunk> chunks = tokenizer.tokenize("a cat BREAK (a dog)", Emphasis.ORIGINAL).chunks();
        assertEquals(2, chunks.size());
        assertArrayEquals(ids("a cat"), tokens(chunks.get(0)));
        assertArrayEquals(ids("a dog"), tokens(chunks.get(1)));
        assertArrayEquals(repeat(1.1f, ids("a dog").length), weights(chunks.get(1), ids("a dog").length));
        assertEquals(1, tokenizer.tokenize("a cat BREAK dog", Emphasis.NONE).chunks().size(), "BREAK is a word then");
    }

    @TempDir
    Path dir;

    private PromptTokenizer withEmbeddings(Map<String, EmbeddingFile> byName) {
        return new PromptTokenizer(clip, EmbeddingLibrary.of(byName), 32);
    }

    @Test
    void longerNameWinsAndNamesIgnoreCase() {
        EmbeddingFile zwx = EmbeddingFile.read(Fixtures.sdTiny("zwx-style.safetensors"));
        PromptTokenizer tokenizer = withEmbeddings(Map.of("zwx", zwx, "zwx-style", zwx));
        assertEquals(List.of("zwx-style"), tokenizer.tokenize("a Zwx-Style cat", Emphasis.ORIGINAL).embeddings()
                .stream().map(e -> e.name()).toList());
        assertEquals(List.of("zwx"), tokenizer.tokenize("a zwx cat", Emphasis.ORIGINAL).embeddings()
                .stream().map(e -> e.name()).toList());
        assertEquals(List.of(), tokenizer.tokenize("a zwxstyle cat", Emphasis.ORIGINAL).embeddings());
    }

    @Test
    void vectorsTakeTheWeightOfTheirPiece() {
        EmbeddingFile zwx = EmbeddingFile.read(Fixtures.sdTiny("zwx-style.safetensors"));
        PromptChunk chunk = withEmbeddings(Map.of("zwx-style", zwx)).tokenize("a (zwx-style:1.4) cat", Emphasis.ORIGINAL)
                .chunks().get(0);
        int position = chunk.vectors().get(0).position();
        assertEquals(1 + ids("a ").length, position);
        assertEquals(1.4f, chunk.weights()[position]);
        assertEquals(1.4f, chunk.weights()[position + 1]);
        assertEquals(1f, chunk.weights()[position + 2]);
    }

    @Test
    void embeddingForAnotherModelIsRefusedWhenUsed() throws IOException {
        Path wide = dir.resolve("wide.safetensors");
        new SafetensorsWriter().add("emb_params", new float[16], 2, 8).write(wide);
        PromptTokenizer tokenizer = withEmbeddings(Map.of("wide", EmbeddingFile.read(wide)));
        assertEquals(List.of(), tokenizer.tokenize("a cat", Emphasis.ORIGINAL).embeddings());
        EmbeddingException e = assertThrows(EmbeddingException.class,
                () -> tokenizer.tokenize("a wide cat", Emphasis.ORIGINAL));
        assertTrue(e.getMessage().contains("width 8, but this model's text encoder takes 32"), e.getMessage());
    }
}

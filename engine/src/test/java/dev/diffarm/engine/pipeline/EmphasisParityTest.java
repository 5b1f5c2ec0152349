package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.engine.clip.ClipTextModel;
import dev.diffarm.engine.clip.ClipTokenizer;
import dev.diffarm.engine.clip.PromptChunk;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.prompt.Fragment;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A1111's emphasis against {@code gen-emphasis.safetensors} (A1111's own parser and {@code sd_hijack_clip} chunking,
 * the tiny model's text encoder), for its six prompts: the parsed fragments, the chunks' ids and weights (BREAK,
 * comma backtrack), each chunk's hidden states before emphasis and its two means, and the conditioning the UNet gets,
 * at clip skip 1 and 2, through {@link PromptEncoder} as a render computes it.
 */
class EmphasisParityTest {
    private static final double TOLERANCE = 1e-4;
    private static NDManager manager;
    private static ClipTextModel textModel;
    private static PromptEncoder encoder;
    private static SafetensorsFile reference;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        try (ModelFiles files = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty())) {
            Weights w = new Weights(files.textEncoder().tensors(), manager);
            textModel = new ClipTextModel(w, files.textEncoder().config());
            w.finish();
        }
        encoder = new PromptEncoder(ClipTokenizer.load(Fixtures.sdTiny("model/tokenizer")), textModel,
                EmbeddingLibrary.none());
        reference = SafetensorsFile.open(Fixtures.sdTiny("gen-emphasis.safetensors"));
    }

    @AfterAll
    static void close() {
        reference.close();
        manager.close();
    }

    /** The manifest's entry for each prompt: key, text, parsed fragments, chunk count, comma backtracks. */
    static Stream<JsonNode> prompts() throws IOException {
        JsonNode emphasis = new ObjectMapper().readTree(Fixtures.sdTiny("manifest-gen.json").toFile()).path("emphasis");
        List<JsonNode> prompts = new ArrayList<>();
        emphasis.path("prompts").forEach(prompts::add);
        assertEquals(6, prompts.size(), "manifest-gen.json emphasis.prompts");
        return prompts.stream();
    }

    /** A1111 writes a break as {@code ["BREAK", -1]}. */
    private static List<String> asA1111Writes(List<Fragment> fragments) {
        return fragments.stream().map(f -> f instanceof Fragment.Text t ? t.text() + " @ " + t.weight() : "BREAK @ -1.0")
                .toList();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("prompts")
    void parsesChunksAndEncodesAsA1111(JsonNode entry) {
        String key = entry.path("key").asText();
        String prompt = entry.path("prompt").asText();

        List<String> parsed = new ArrayList<>();
        entry.path("parsed").forEach(f -> parsed.add(f.get(0).asText() + " @ " + f.get(1).asDouble()));
        assertEquals(parsed, asA1111Writes(Emphasis.ORIGINAL.fragments(prompt)), key + " fragments");

        List<PromptChunk> chunks = encoder.tokenize(prompt, Emphasis.ORIGINAL).chunks();
        assertEquals(entry.path("chunks").asInt(), chunks.size(), key + " chunks");
        long[] ids = chunks.stream().flatMapToInt(c -> Arrays.stream(c.ids())).asLongStream().toArray();
        assertArrayEquals(reference.longs(key + ".ids"), ids, key + " ids");
        float[] weights = new float[77 * chunks.size()];
        for (int c = 0; c < chunks.size(); c++) {
            System.arraycopy(chunks.get(c).weights(), 0, weights, 77 * c, 77);
        }
        assertArrayEquals(reference.floats(key + ".weights"), weights, key + " weights");

        for (int clipSkip = 1; clipSkip <= 2; clipSkip++) {
            String suffix = "_clip" + clipSkip;
            try (NDManager scope = manager.newSubManager()) {
                NDArray raw = textModel.encode(scope.create(ids).reshape(chunks.size(), 77), clipSkip);
                Parity.assertClose(key + " hidden_raw" + suffix, reference.floats(key + ".hidden_raw" + suffix),
                        raw.toFloatArray(), TOLERANCE);
                float[] means = new float[2 * chunks.size()];
                for (int c = 0; c < chunks.size(); c++) {
                    NDArray hidden = raw.get(c);
                    EmphasisRescale.Means m = EmphasisRescale.Means.of(hidden,
                            EmphasisRescale.weighted(hidden, chunks.get(c)));
                    means[2 * c] = m.original();
                    means[2 * c + 1] = m.weighted();
                }
                Parity.assertClose(key + " means" + suffix, reference.floats(key + ".means" + suffix), means,
                        TOLERANCE);
                NDArray cond = encoder.encode(scope, prompt, Emphasis.ORIGINAL, clipSkip);
                assertEquals(List.of(1L, 77L * chunks.size(), (long) textModel.config().hiddenSize()),
                        Arrays.stream(cond.getShape().getShape()).boxed().toList(), key + " cond shape");
                Parity.assertClose(key + " cond" + suffix, reference.floats(key + ".cond" + suffix),
                        cond.toFloatArray(), TOLERANCE);
            }
        }
    }
}

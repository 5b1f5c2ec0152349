package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.clip.ClipTextModel;
import dev.diffarm.engine.clip.ClipTokenizer;
import dev.diffarm.engine.clip.PromptChunk;
import dev.diffarm.engine.embedding.EmbeddingFile;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.prompt.TokenizedPrompt;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Textual inversion against diffusers' {@code load_textual_inversion}: the 2-vector embedding in its three file
 * forms reproduces the token ids (exactly, outside the vectors' positions), where the vectors go, and the
 * encoder's hidden states.
 */
class TextualInversionParityTest {
    private static final String ZWX_PROMPT = "a photo of <zwx> person";
    private static NDManager manager;
    private static ClipTokenizer tokenizer;
    private static ClipTextModel textModel;

    @TempDir
    Path dir;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        tokenizer = ClipTokenizer.load(Fixtures.sdTiny("model/tokenizer"));
        try (ModelFiles files = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty())) {
            Weights w = new Weights(files.textEncoder().tensors(), manager);
            textModel = new ClipTextModel(w, files.textEncoder().config());
            w.finish();
        }
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** The diffusers file, found in a folder and triggered by its token. */
    @ParameterizedTest
    @ValueSource(strings = {"learned_embeds.safetensors"})
    void diffusersFileIsTriggeredByItsToken(String file) throws IOException {
        Files.copy(Fixtures.sdTiny(file), dir.resolve(file));
        assertZwx(file, EmbeddingLibrary.scan(dir));
    }

    /** Each A1111 file under the token {@code <zwx>}, as diffusers loads it with {@code token="<zwx>"}. */
    @ParameterizedTest
    @ValueSource(strings = {"zwx-style.safetensors", "zwx-style.pt"})
    void a1111FilesGiveTheSameEncodingUnderAToken(String file) {
        assertZwx(file, EmbeddingLibrary.of(Map.of("<zwx>", EmbeddingFile.read(Fixtures.sdTiny(file)))));
    }

    private void assertZwx(String file, EmbeddingLibrary library) {
        PromptEncoder encoder = new PromptEncoder(tokenizer, textModel, library);
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("ti-reference.safetensors"))) {
            assertIdsAndPosition(file, encoder.tokenize(ZWX_PROMPT, Emphasis.ORIGINAL), reference.longs("zwx.ids"), 4);
            Parity.assertClose("TI " + file + " hidden", reference.floats("zwx.hidden"),
                    encoder.encode(manager, ZWX_PROMPT, Emphasis.ORIGINAL, 1).toFloatArray(), 1e-4);
            Parity.assertClose("TI " + file + " hidden, clip skip 2", reference.floats("zwx.hidden_clip_skip2"),
                    encoder.encode(manager, ZWX_PROMPT, Emphasis.ORIGINAL, 2).toFloatArray(), 1e-4);
        }
    }

    /** A1111's prompts, triggered by the file name of either A1111 file found in the embeddings folder. */
    @ParameterizedTest
    @ValueSource(strings = {"zwx-style.safetensors", "zwx-style.pt"})
    void a1111FileIsTriggeredByItsFileName(String file) throws IOException {
        Files.copy(Fixtures.sdTiny(file), dir.resolve(file));
        PromptEncoder encoder = new PromptEncoder(tokenizer, textModel, EmbeddingLibrary.scan(dir));
        List<String> prompts = List.of("a photo of zwx-style person", "zwx-style, painting of a cat");
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("ti-reference.safetensors"))) {
            for (int i = 0; i < prompts.size(); i++) {
                String key = "ti" + i;
                int position = Math.toIntExact(reference.longs(key + ".position")[0]);
                TokenizedPrompt tokenized = encoder.tokenize(prompts.get(i), Emphasis.ORIGINAL);
                assertIdsAndPosition(file + " " + key, tokenized, reference.longs(key + ".ids"), position);
                assertEquals(List.of("zwx-style"), tokenized.embeddings().stream().map(e -> e.name()).toList());
                Parity.assertClose("TI " + file + " " + key + " hidden", reference.floats(key + ".hidden"),
                        encoder.encode(manager, prompts.get(i), Emphasis.ORIGINAL, 1).toFloatArray(), 1e-4);
            }
        }
    }

    /**
     * One chunk whose ids are the reference's except where the 2 vectors go (diffusers gives them new token
     * ids there), and the vectors at {@code position}.
     */
    private static void assertIdsAndPosition(String what, TokenizedPrompt tokenized, long[] expectedIds, int position) {
        assertEquals(1, tokenized.chunks().size(), what + ": chunks");
        PromptChunk chunk = tokenized.chunks().get(0);
        assertEquals(1, chunk.vectors().size(), what + ": embeddings placed");
        assertEquals(position, chunk.vectors().get(0).position(), what + ": position of the vectors");
        assertEquals(2, chunk.vectors().get(0).vectors().count(), what + ": vectors");
        long[] ids = Arrays.stream(chunk.ids()).asLongStream().toArray();
        long[] expected = expectedIds.clone();
        for (int p = position; p < position + 2; p++) {
            ids[p] = -1;
            expected[p] = -1;
        }
        assertArrayEquals(expected, ids, what + ": token ids outside the vectors");
    }
}

package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.clip.ClipFixtures;
import dev.diffarm.engine.clip.ClipTextModel;
import dev.diffarm.engine.clip.ClipTokenizer;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.util.Arrays;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Prompts through the text encoder: the literal path of diffusers, and A1111's emphasis on real hidden states. */
class PromptEncoderTest {
    private static final String BRACKETED = "a painting of a cat in the snow, (masterpiece:1.2)";
    private static NDManager manager;
    private static ClipTokenizer tokenizer;
    private static ClipTextModel textModel;
    private static PromptEncoder encoder;

    @BeforeAll
    static void load() {
        manager = NDManager.newBaseManager();
        tokenizer = ClipTokenizer.load(Fixtures.sdTiny("model/tokenizer"));
        try (ModelFiles files = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty())) {
            Weights w = new Weights(files.textEncoder().tensors(), manager);
            textModel = new ClipTextModel(w, files.textEncoder().config());
            w.finish();
        }
        encoder = new PromptEncoder(tokenizer, textModel, EmbeddingLibrary.none());
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    @Test
    void fixturePromptWithBracketsIsDiffusersEncodingWithoutEmphasis() {
        assertEquals(BRACKETED, ClipFixtures.prompts("text").get(1));
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("text.safetensors"))) {
            Parity.assertClose("literal prompt1", reference.floats("prompt1.hidden"),
                    encoder.encode(manager, BRACKETED, Emphasis.NONE, 1).toFloatArray(), 1e-4);
            Parity.assertClose("literal prompt1, clip skip 2", reference.floats("prompt1.hidden_clip_skip2"),
                    encoder.encode(manager, BRACKETED, Emphasis.NONE, 2).toFloatArray(), 1e-4);
        }
    }

    @Test
    void unweightedPromptIsExactlyTheEncodingOfItsIds() {
        String prompt = "a painting of a cat in the snow";
        long[] ids = Arrays.stream(tokenizer.encodeTruncated(prompt)).asLongStream().toArray();
        float[] direct = textModel.encode(manager.create(ids).reshape(1, -1), 1).toFloatArray();
        assertArrayEquals(direct, encoder.encode(manager, prompt, Emphasis.ORIGINAL, 1).toFloatArray());
    }

    /**
     * {@code (masterpiece:1.2)}: the emphasized states are the plain ones times 1.2 at that word's tokens, all
     * times the one factor that restores the chunk's mean (computed here in double precision). The encoder
     * takes the two means in float32 as A1111 does; they are small next to the values they average, so their
     * rounding shows in the factor at a few 1e-7: hence 1e-5.
     */
    @Test
    void emphasisWeightsTheWordAndRestoresTheMean() {
        String plain = "a painting of a cat in the snow, masterpiece";
        float[] raw = encoder.encode(manager, plain, Emphasis.NONE, 1).toFloatArray();
        NDArray emphasized = encoder.encode(manager, BRACKETED, Emphasis.ORIGINAL, 1);
        int width = textModel.config().hiddenSize();
        int first = 1 + tokenizer.tokenize("a painting of a cat in the snow, ").length;
        int last = first + tokenizer.tokenize("masterpiece").length;
        double[] weighted = new double[raw.length];
        double rawSum = 0;
        double weightedSum = 0;
        for (int i = 0; i < raw.length; i++) {
            int token = i / width;
            weighted[i] = raw[i] * (token >= first && token < last ? 1.2 : 1.0);
            rawSum += raw[i];
            weightedSum += weighted[i];
        }
        float[] expected = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            expected[i] = (float) (weighted[i] * rawSum / weightedSum);
        }
        float[] actual = emphasized.toFloatArray();
        Parity.assertClose("emphasis on the encoder's output", expected, actual, 1e-5);
        double actualSum = 0;
        for (float v : actual) {
            actualSum += v;
        }
        assertEquals(rawSum / raw.length, actualSum / actual.length, 1e-6, "mean of the chunk");
        assertTrue(Parity.relativeError(raw, actual) > 1e-3, "the weight changed the encoding");
    }

    @Test
    void breakGivesTwoChunksEachEncodedAlone() {
        float[] both = encoder.encode(manager, "a painting BREAK of a cat", Emphasis.ORIGINAL, 1).toFloatArray();
        float[] first = encoder.encode(manager, "a painting", Emphasis.ORIGINAL, 1).toFloatArray();
        float[] second = encoder.encode(manager, "of a cat", Emphasis.ORIGINAL, 1).toFloatArray();
        assertEquals(first.length + second.length, both.length);
        assertArrayEquals(first, Arrays.copyOf(both, first.length));
        assertArrayEquals(second, Arrays.copyOfRange(both, first.length, both.length));
    }

    @Test
    void promptThatChangesByStepHasNoSingleEncoding() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> encoder.encode(manager, "a [cat:dog:0.5]", Emphasis.ORIGINAL, 1));
        assertTrue(e.getMessage().contains("change the prompt from step to step"), e.getMessage());
    }
}

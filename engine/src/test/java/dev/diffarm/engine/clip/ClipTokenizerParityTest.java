package dev.diffarm.engine.clip;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Exact ids against transformers' CLIPTokenizer, on the tiny vocabulary and on CLIP's real one. */
class ClipTokenizerParityTest {

    @Test
    void tinyVocabularyGivesTheReferenceIds() {
        ClipTokenizer tokenizer = ClipTokenizer.load(ClipFixtures.tinyTokenizerDir());
        List<String> prompts = ClipFixtures.prompts("text");
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("text.safetensors"))) {
            for (int i = 0; i < prompts.size(); i++) {
                assertSameIds(tokenizer, prompts.get(i), reference, "prompt" + i);
            }
        }
        System.out.println("tokenizer parity: " + prompts.size() + " prompts on the tiny vocabulary, ids exact");
    }

    @Test
    void realClipVocabularyGivesTheReferenceIds() {
        Optional<Path> vocab = Fixtures.shared("fixtures/clip-vocab/vocab.json");
        Optional<Path> merges = Fixtures.shared("fixtures/clip-vocab/merges.txt");
        assumeTrue(vocab.isPresent() && merges.isPresent(), () -> {
            String reason = "real CLIP vocabulary test skipped: fixtures/clip-vocab/vocab.json and merges.txt are not in"
                    + " the shared folder (" + System.getProperty("diffarm.shared.dir") + ", -Ddiffarm.shared.dir)";
            System.out.println(reason);
            return reason;
        });
        long start = System.nanoTime();
        ClipTokenizer tokenizer = ClipTokenizer.load(vocab.get().getParent());
        double loadSeconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("tokenizer: loaded the 49,408-token vocabulary in %.3f s%n", loadSeconds);
        assertEquals(49406, tokenizer.bos());
        assertEquals(49407, tokenizer.eos());
        assertEquals(tokenizer.eos(), tokenizer.pad());
        assertEquals(77, tokenizer.contextLength());
        List<String> prompts = ClipFixtures.prompts("tokenizer_real_clip");
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("tokenizer-real-clip.safetensors"))) {
            for (int i = 0; i < prompts.size(); i++) {
                assertSameIds(tokenizer, prompts.get(i), reference, "real" + i);
            }
        }
        System.out.println("tokenizer parity: " + prompts.size() + " prompts on the real CLIP vocabulary, ids exact");
        assertTrue(loadSeconds < 2.0, "loading the real vocabulary took " + loadSeconds + " s");
    }

    private static void assertSameIds(ClipTokenizer tokenizer, String prompt, SafetensorsFile reference, String key) {
        assertArrayEquals(ClipFixtures.rawIds(reference, key + ".raw_ids"), tokenizer.tokenize(prompt),
                key + ".raw_ids for \"" + prompt + "\"");
        assertArrayEquals(ClipFixtures.ids(reference, key + ".ids"), tokenizer.encodeTruncated(prompt),
                key + ".ids for \"" + prompt + "\"");
    }
}

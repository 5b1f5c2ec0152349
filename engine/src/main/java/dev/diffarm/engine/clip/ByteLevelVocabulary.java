package dev.diffarm.engine.clip;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The smallest valid CLIP tokenizer: every byte as a symbol, inside a word and at its end ({@code </w>}),
 * no merges, then the two special tokens — 514 ids. Any text tokenizes with it (one id per UTF-8 byte), so a
 * model generated without a real vocabulary still takes real prompts.
 */
public final class ByteLevelVocabulary {
    /** Number of ids: 256 bytes, 256 word-final bytes, start and end of text. */
    public static final int SIZE = 514;

    private ByteLevelVocabulary() {
    }

    /** Writes {@code vocab.json} and {@code merges.txt} into {@code dir}. */
    public static void write(Path dir) throws IOException {
        Map<String, Integer> vocab = new LinkedHashMap<>();
        for (int b = 0; b < 256; b++) {
            vocab.put(String.valueOf(ByteAlphabet.charOf(b)), vocab.size());
        }
        for (int b = 0; b < 256; b++) {
            vocab.put(ByteAlphabet.charOf(b) + "</w>", vocab.size());
        }
        vocab.put(ClipTokenizer.START_OF_TEXT, vocab.size());
        vocab.put(ClipTokenizer.END_OF_TEXT, vocab.size());
        Files.createDirectories(dir);
        new ObjectMapper().writeValue(dir.resolve("vocab.json").toFile(), vocab);
        Files.writeString(dir.resolve("merges.txt"), "#version: 0.2\n", StandardCharsets.UTF_8);
    }
}

package dev.diffarm.engine.clip;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading a tokenizer folder: what the config changes, and the errors for missing or malformed files. */
class ClipTokenizerLoadTest {
    private static final String VOCAB = "{\"!\": 0, \"a</w>\": 1, \"<|startoftext|>\": 2, \"<|endoftext|>\": 3}";
    private static final String MERGES = "#version: 0.2\n";

    @TempDir
    Path dir;

    private void write(String file, String text) throws IOException {
        Files.writeString(dir.resolve(file), text);
    }

    private void writeValidFolder() throws IOException {
        write("vocab.json", VOCAB);
        write("merges.txt", MERGES);
    }

    private String loadError() {
        String message = assertThrows(TokenizerException.class, () -> ClipTokenizer.load(dir)).getMessage();
        System.out.println("tokenizer error: " + message);
        return message;
    }

    private static void assertMentions(String message, String... parts) {
        for (String part : parts) {
            assertTrue(message.contains(part), "'" + message + "' should mention '" + part + "'");
        }
    }

    @Test
    void minimalFolderLoadsWithClipDefaults() throws IOException {
        writeValidFolder();
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        assertEquals(2, tokenizer.bos());
        assertEquals(3, tokenizer.eos());
        assertEquals(3, tokenizer.pad());
        assertEquals(77, tokenizer.contextLength());
        assertEquals(1, tokenizer.tokenize("a")[0]);
        assertEquals(3, tokenizer.tokenize("b")[0], "an unknown symbol becomes <|endoftext|>");
    }

    @Test
    void configSetsContextLengthAndPadToken() throws IOException {
        writeValidFolder();
        write("tokenizer_config.json", "{\"model_max_length\": 10, \"pad_token\": {\"content\": \"!\"}}");
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        assertEquals(10, tokenizer.contextLength());
        assertEquals(0, tokenizer.pad());
        assertEquals(2, tokenizer.encodeChunks("a ".repeat(9)).size(), "8 tokens per chunk");
    }

    @Test
    void unsetMaxLengthMarkerMeansClipDefault() throws IOException {
        writeValidFolder();
        write("tokenizer_config.json", "{\"model_max_length\": 1000000000000000019884624838656, \"pad_token\": \"!\"}");
        ClipTokenizer tokenizer = ClipTokenizer.load(dir);
        assertEquals(77, tokenizer.contextLength());
        assertEquals(0, tokenizer.pad());
    }

    @Test
    void missingFolderOrFilesAreNamed() throws IOException {
        String noFolder = assertThrows(TokenizerException.class, () -> ClipTokenizer.load(dir.resolve("nope"))).getMessage();
        assertMentions(noFolder, dir.resolve("nope").toString(), "does not exist", "vocab.json", "merges.txt");
        write("merges.txt", MERGES);
        assertMentions(loadError(), dir.resolve("vocab.json").toString(), "missing");
        Files.delete(dir.resolve("merges.txt"));
        write("vocab.json", VOCAB);
        assertMentions(loadError(), dir.resolve("merges.txt").toString(), "missing");
    }

    @Test
    void malformedVocabularyIsReportedWithItsLine() throws IOException {
        write("merges.txt", MERGES);
        write("vocab.json", "{\"a\": 0,\n \"b\": \"one\"}");
        assertMentions(loadError(), "vocab.json line 2", "\"b\"", "non-negative integer");
        write("vocab.json", "{\"a\": 0,\n\n \"b\": 1,");
        assertMentions(loadError(), "vocab.json line 3", "not valid JSON");
        write("vocab.json", "[\"a\"]");
        assertMentions(loadError(), "vocab.json line 1", "expected a JSON object");
        write("vocab.json", "{\"a</w>\": 0, \"<|startoftext|>\": 1}");
        assertMentions(loadError(), "vocab.json", "has no <|endoftext|>");
    }

    @Test
    void malformedMergesAreReportedWithTheirLine() throws IOException {
        write("vocab.json", VOCAB);
        write("merges.txt", "a b\nc d\n");
        assertMentions(loadError(), "merges.txt line 1", "#version", "'a b'");
        write("merges.txt", "#version: 0.2\na b\nc d e\n");
        assertMentions(loadError(), "merges.txt line 3", "two symbols", "'c d e'");
        write("merges.txt", "#version: 0.2\na b\n\nc d\n");
        assertMentions(loadError(), "merges.txt line 3");
        write("merges.txt", "");
        assertMentions(loadError(), "merges.txt line 1", "an empty file");
    }

    @Test
    void malformedConfigIsReported() throws IOException {
        writeValidFolder();
        write("tokenizer_config.json", "{\"model_max_length\": \"77\"}");
        assertMentions(loadError(), "tokenizer_config.json", "model_max_length", "integer");
        write("tokenizer_config.json", "{\"model_max_length\": 2}");
        assertMentions(loadError(), "tokenizer_config.json", "model_max_length 2");
        write("tokenizer_config.json", "{\"pad_token\": \"<pad>\"}");
        assertMentions(loadError(), "tokenizer_config.json", "pad_token \"<pad>\"", "vocab.json");
        write("tokenizer_config.json", "{\"pad_token\": ");
        assertMentions(loadError(), "tokenizer_config.json line 1", "not valid JSON");
    }
}

package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class EncodeCommandTest {
    @TempDir
    Path dir;

    @Test
    void shortPromptGivesTransformersHiddenStates() throws Exception {
        Path out = dir.resolve("hidden.safetensors");
        String prompt = dev.diffarm.engine.clip.ClipFixtures.prompts("text").get(0);
        CommandLineRun run = CommandLineRun.of("encode", "--model", Fixtures.sdTiny("model").toString(), "--prompt", prompt,
                "--clip-skip", "2", "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        try (SafetensorsFile ours = SafetensorsFile.open(out);
             SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("text.safetensors"))) {
            assertArrayEquals(new long[] {77, 32}, ours.info("hidden").shape());
            Parity.assertClose("encode clip skip 2", reference.floats("prompt0.hidden_clip_skip2"), ours.floats("hidden"), 1e-4);
        }
    }

    @Test
    void longPromptIsEncodedInChunksOf75Tokens() throws Exception {
        Path out = dir.resolve("hidden.safetensors");
        String prompt = dev.diffarm.engine.clip.ClipFixtures.prompts("text").get(4);
        CommandLineRun run = CommandLineRun.of("encode", "--model", Fixtures.sdTiny("model").toString(), "--prompt", prompt,
                "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        try (SafetensorsFile ours = SafetensorsFile.open(out);
             SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("text.safetensors"))) {
            long[] shape = ours.info("hidden").shape();
            assertEquals(32, shape[1]);
            assertEquals(0, shape[0] % 77);
            assertEquals(true, shape[0] >= 154, Arrays.toString(shape));
            float[] firstChunk = Arrays.copyOf(ours.floats("hidden"), 77 * 32);
            Parity.assertClose("encode long prompt, first chunk", reference.floats("prompt4.hidden"), firstChunk, 1e-4);
        }
    }

    private CommandLineRun encode(Path out, String prompt, String... options) {
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("encode", "--model",
                Fixtures.sdTiny("model").toString(), "--prompt", prompt, "--out", out.toString()));
        args.addAll(java.util.List.of(options));
        return CommandLineRun.of(args.toArray(String[]::new));
    }

    @Test
    void embeddingInTheFolderIsTriggeredByItsFileName() throws Exception {
        Path embeddings = Files.createDirectories(dir.resolve("embeddings"));
        Files.copy(Fixtures.sdTiny("zwx-style.pt"), embeddings.resolve("zwx-style.pt"));
        Path out = dir.resolve("hidden.safetensors");
        CommandLineRun run = encode(out, "a photo of zwx-style person", "--embeddings-dir", embeddings.toString());
        assertEquals(0, run.exitCode(), run.err());
        try (SafetensorsFile ours = SafetensorsFile.open(out);
             SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("ti-reference.safetensors"))) {
            Parity.assertClose("encode with an A1111 .pt embedding", reference.floats("ti0.hidden"), ours.floats("hidden"),
                    1e-4);
        }
    }

    @Test
    void noEmphasisReadsBracketsAsDiffusersDoes() throws Exception {
        Path out = dir.resolve("hidden.safetensors");
        String prompt = dev.diffarm.engine.clip.ClipFixtures.prompts("text").get(1);
        CommandLineRun run = encode(out, prompt, "--no-emphasis");
        assertEquals(0, run.exitCode(), run.err());
        try (SafetensorsFile ours = SafetensorsFile.open(out);
             SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("text.safetensors"))) {
            Parity.assertClose("encode --no-emphasis", reference.floats("prompt1.hidden"), ours.floats("hidden"), 1e-4);
        }
    }

    @Test
    void promptThatChangesByStepIsRefused() {
        CommandLineRun run = encode(dir.resolve("hidden.safetensors"), "a [cat|dog]");
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("alternation [a|b] change the prompt from step to step"), run.err());
    }

    @Test
    void unusableEmbeddingIsOneLineError() throws Exception {
        Path embeddings = Files.createDirectories(dir.resolve("embeddings"));
        Files.writeString(embeddings.resolve("broken.pt"), "not a torch file");
        CommandLineRun run = encode(dir.resolve("hidden.safetensors"), "a broken cat", "--embeddings-dir",
                embeddings.toString());
        assertEquals(1, run.exitCode());
        assertTrue(run.err().contains("diffarm: error: embedding 'broken' cannot be used"), run.err());
        assertEquals(1, run.err().lines().filter(line -> line.startsWith("diffarm: error:")).count(), run.err());
        assertTrue(!run.err().contains("internal error") && !run.err().contains("\tat "), run.err());
    }
}

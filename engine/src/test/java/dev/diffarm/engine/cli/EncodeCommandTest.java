package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
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
}

package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code diffarm merge}: a merged checkpoint on disk, and one-line errors for bad options. */
class MergeCommandTest {
    @TempDir
    Path dir;

    @Test
    void mergesAFolderAndASingleFileIntoASingleFile() {
        Path out = dir.resolve("merged.safetensors");
        CommandLineRun run = CommandLineRun.of("merge", "--a", Fixtures.sdTiny("model").toString(),
                "--b", Fixtures.sdTiny("model-fp16.safetensors").toString(), "--mode", "weighted-sum", "--m", "0.5",
                "--out", out.toString());
        assertEquals(0, run.exitCode(), run.err());
        assertEquals(out.toString(), run.out().trim());
        try (SafetensorsFile merged = SafetensorsFile.open(out);
             SafetensorsFile single = SafetensorsFile.open(Fixtures.sdTiny("model.safetensors"))) {
            assertEquals(single.names().size(), merged.names().size());
            String key = "first_stage_model.encoder.mid.attn_1.proj_out.weight";
            assertArrayEquals(single.info(key).shape(), merged.info(key).shape(), "stored as a 1x1 convolution");
            assertArrayEquals(single.floats(key), merged.floats(key));
            assertEquals("weighted-sum m=0.5 of model, model-fp16.safetensors", merged.metadata().get("diffarm_merge"));
        }
    }

    @Test
    void addDifferenceNeedsC() {
        CommandLineRun run = CommandLineRun.of("merge", "--a", "a", "--b", "b", "--mode", "add-difference", "--m", "1",
                "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--mode add-difference needs --c"), run.err());
    }

    @Test
    void outputMustBeSafetensors() {
        CommandLineRun run = CommandLineRun.of("merge", "--a", "a", "--b", "b", "--mode", "weighted-sum", "--m", "0.5",
                "--out", dir.resolve("x.ckpt").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("expected a .safetensors file"), run.err());
    }

    @Test
    void unknownMode() {
        CommandLineRun run = CommandLineRun.of("merge", "--a", "a", "--b", "b", "--mode", "sum", "--m", "0.5",
                "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, run.exitCode());
        assertTrue(run.err().contains("--mode sum: expected one of weighted-sum, add-difference"), run.err());
    }
}

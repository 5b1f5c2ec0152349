package dev.diffarm.engine.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code diffarm train} with the fixture's folder, starting LoRA, settings and seed reproduces
 * {@code train-lora-run-kohya.safetensors}; a run resumed from its step-3 state writes the same file bit for bit.
 */
class TrainCommandTest {
    @TempDir
    Path dir;

    private static List<String> runArgs(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--method", "lora",
                "--model", Fixtures.sdTiny("model").toString(),
                "--data", Fixtures.sdTiny("train-data").toString(),
                "--network-weights", Fixtures.sdTiny("train-lora-run-init-kohya.safetensors").toString(),
                "--learning-rate", "1e-3", "--lr-scheduler", "cosine", "--lr-warmup-steps", "2",
                "--max-train-steps", "6", "--train-batch-size", "2", "--gradient-accumulation-steps", "2",
                "--max-grad-norm", "1.0", "--cache-latents", "--no-shuffle", "--seed", "1361",
                "--out", out.toString()));
        args.addAll(List.of(extra));
        return args;
    }

    @Test
    void reproducesTheKohyaFileAndResumesBitForBit() throws Exception {
        Path out = dir.resolve("run.safetensors");
        CommandLineRun run = CommandLineRun.of(runArgs(out, "--save-every", "3", "--save-state").toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        System.out.print(run.out());
        assertTrue(run.out().contains("step 6/6"), "a progress line per step");
        assertTrue(run.out().matches("(?s).*step 1/6  loss [0-9.]+  smoothed [0-9.]+  lr 0.00  grad_norm .* s/step  ETA .*"),
                run.out());
        try (SafetensorsFile mine = SafetensorsFile.open(out);
             SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("train-lora-run-kohya.safetensors"))) {
            assertEquals(new TreeSet<>(reference.names()), new TreeSet<>(mine.names()), "keys");
            assertEquals(144, mine.names().size());
            double worst = 0;
            for (String key : reference.names()) {
                assertArrayEquals(reference.info(key).shape(), mine.info(key).shape(), key);
                worst = Math.max(worst, Parity.relativeError(reference.floats(key), mine.floats(key)));
                if (key.endsWith(".alpha")) {
                    assertEquals(4.0f, mine.floats(key)[0], key);
                }
            }
            System.out.printf("parity train CLI vs train-lora-run-kohya: worst relative error %.3g over 144 tensors%n", worst);
            assertTrue(worst <= 1e-4, "worst relative error " + worst);
            for (String key : List.of("ss_network_module", "ss_network_dim", "ss_network_alpha", "ss_base_model_version",
                    "ss_learning_rate", "ss_lr_scheduler", "ss_lr_warmup_steps", "ss_max_train_steps",
                    "ss_gradient_accumulation_steps", "ss_batch_size_per_device", "ss_max_grad_norm")) {
                assertEquals(reference.metadata().get(key), mine.metadata().get(key), key);
            }
            assertEquals("run", mine.metadata().get("ss_output_name"));
            assertTrue(mine.metadata().get("ss_tag_frequency").contains("\"zwx person in the park\":1"),
                    mine.metadata().get("ss_tag_frequency"));
        }
        Path step3 = dir.resolve("run.safetensors.state/step-000003");
        assertTrue(Files.isDirectory(step3), "state of step 3");
        assertTrue(Files.isDirectory(dir.resolve("run.safetensors.state/step-000006")), "state of the last step");

        Path resumed = dir.resolve("resumed.safetensors");
        CommandLineRun second = CommandLineRun.of(runArgs(resumed, "--resume", step3.toString()).toArray(String[]::new));
        assertEquals(0, second.exitCode(), second.err());
        assertTrue(second.out().contains("step 4/6") && !second.out().contains("step 3/6"), second.out());
        try (SafetensorsFile a = SafetensorsFile.open(out); SafetensorsFile b = SafetensorsFile.open(resumed)) {
            for (String key : a.names()) {
                assertArrayEquals(a.floats(key), b.floats(key), "resumed run, " + key + " bit for bit");
            }
        }
    }

    @Test
    void refusesAnUnknownMethodAndABadRank() {
        CommandLineRun method = CommandLineRun.of("train", "--method", "hypernetwork", "--model",
                Fixtures.sdTiny("model").toString(), "--data", Fixtures.sdTiny("train-data").toString(),
                "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, method.exitCode(), "bad usage");
        assertTrue(method.err().contains("--method"), method.err());
        CommandLineRun rank = CommandLineRun.of("train", "--model", Fixtures.sdTiny("model").toString(),
                "--data", Fixtures.sdTiny("train-data").toString(), "--network-dim", "0", "--max-train-steps", "1",
                "--out", dir.resolve("y.safetensors").toString());
        assertEquals(2, rank.exitCode(), "bad usage");
        assertTrue(rank.err().contains("--network-dim"), rank.err());
    }
}

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

    /** With --gradient-checkpointing the same run gives the same LoRA: the reference's within 1e-4, and records it. */
    @Test
    void reproducesTheKohyaFileWithGradientCheckpointing() throws Exception {
        Path out = dir.resolve("checkpointed.safetensors");
        CommandLineRun run = CommandLineRun.of(runArgs(out, "--gradient-checkpointing").toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        try (SafetensorsFile mine = SafetensorsFile.open(out);
             SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("train-lora-run-kohya.safetensors"))) {
            assertEquals(new TreeSet<>(reference.names()), new TreeSet<>(mine.names()), "keys");
            double worst = 0;
            for (String key : reference.names()) {
                worst = Math.max(worst, Parity.relativeError(reference.floats(key), mine.floats(key)));
            }
            System.out.printf("parity train CLI --gradient-checkpointing vs train-lora-run-kohya: worst relative error "
                    + "%.3g over 144 tensors%n", worst);
            assertTrue(worst <= 1e-4, "worst relative error " + worst);
            assertEquals("True", mine.metadata().get("ss_gradient_checkpointing"));
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

    /** A kohya dataset: a repeat folder with images of two aspect ratios, each captioned with comma-separated tags. */
    private Path kohyaDataset() throws java.io.IOException {
        Path folder = Files.createDirectories(dir.resolve("data/2_zwx thing"));
        int[][] sizes = {{96, 32}, {96, 32}, {32, 96}};
        for (int i = 0; i < sizes.length; i++) {
            java.awt.image.BufferedImage image = new java.awt.image.BufferedImage(sizes[i][0], sizes[i][1],
                    java.awt.image.BufferedImage.TYPE_INT_RGB);
            for (int y = 0; y < sizes[i][1]; y++) {
                for (int x = 0; x < sizes[i][0]; x++) {
                    image.setRGB(x, y, ((x * 7 + i * 40) & 0xff) << 16 | ((y * 5) & 0xff) << 8 | 0x30 * i);
                }
            }
            javax.imageio.ImageIO.write(image, "png", folder.resolve("img" + i + ".png").toFile());
            Files.writeString(folder.resolve("img" + i + ".txt"), "zwx thing, tag" + i + ", red, round");
        }
        return dir.resolve("data");
    }

    private List<String> kohyaArgs(Path data, Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train", "--model", Fixtures.sdTiny("model").toString(),
                "--data", data.toString(), "--out", out.toString(), "--network-dim", "2", "--network-alpha", "1",
                "--learning-rate", "1e-3", "--max-train-steps", "4", "--train-batch-size", "2", "--seed", "5",
                "--resolution", "64", "--enable-bucket", "--min-bucket-reso", "32", "--max-bucket-reso", "128",
                "--bucket-reso-steps", "32", "--flip-aug", "--shuffle-caption", "--keep-tokens", "1",
                "--caption-dropout-rate", "0.2", "--caption-extension", ".txt"));
        args.addAll(List.of(extra));
        return args;
    }

    /**
     * kohya's data options through the CLI: a bucketed, flipped, caption-shuffled run over a repeat folder trains,
     * records the folder's tags, and resumed from its step-2 state writes the same LoRA bit for bit.
     */
    @Test
    void trainsWithKohyasDataOptionsAndResumesBitForBit() throws Exception {
        Path data = kohyaDataset();
        Path out = dir.resolve("buckets.safetensors");
        CommandLineRun run = CommandLineRun.of(kohyaArgs(data, out, "--save-every", "2", "--save-state")
                .toArray(String[]::new));
        assertEquals(0, run.exitCode(), run.err());
        assertTrue(run.out().contains("step 4/4"), run.out());
        Path resumed = dir.resolve("resumed.safetensors");
        CommandLineRun second = CommandLineRun.of(kohyaArgs(data, resumed, "--resume",
                dir.resolve("buckets.safetensors.state/step-000002").toString()).toArray(String[]::new));
        assertEquals(0, second.exitCode(), second.err());
        assertTrue(second.out().contains("step 3/4") && !second.out().contains("step 2/4"), second.out());
        try (SafetensorsFile a = SafetensorsFile.open(out); SafetensorsFile b = SafetensorsFile.open(resumed)) {
            assertEquals(new TreeSet<>(a.names()), new TreeSet<>(b.names()));
            for (String key : a.names()) {
                assertArrayEquals(a.floats(key), b.floats(key), "resumed run, " + key + " bit for bit");
            }
            String tags = a.metadata().get("ss_tag_frequency");
            assertTrue(tags.contains("\"2_zwx thing\":{") && tags.contains("\"red\":3"), tags);
            assertEquals("6", a.metadata().get("ss_num_train_images"), "3 images x 2 repeats");
        }
    }

    @Test
    void refusesBucketsWithoutAResolutionAndABadResolution() throws Exception {
        Path data = kohyaDataset();
        CommandLineRun noResolution = CommandLineRun.of("train", "--model", Fixtures.sdTiny("model").toString(),
                "--data", data.toString(), "--enable-bucket", "--out", dir.resolve("x.safetensors").toString());
        assertEquals(2, noResolution.exitCode(), "bad usage");
        assertTrue(noResolution.err().contains("resolution"), noResolution.err());
        CommandLineRun bad = CommandLineRun.of("train", "--model", Fixtures.sdTiny("model").toString(),
                "--data", data.toString(), "--resolution", "64x64", "--out", dir.resolve("y.safetensors").toString());
        assertEquals(2, bad.exitCode(), "bad usage");
        assertTrue(bad.err().contains("--resolution"), bad.err());
        CommandLineRun mixedSizes = CommandLineRun.of("train", "--model", Fixtures.sdTiny("model").toString(),
                "--data", data.toString(), "--max-train-steps", "1", "--out", dir.resolve("z.safetensors").toString());
        assertEquals(1, mixedSizes.exitCode());
        assertTrue(mixedSizes.err().contains("img2.png") && mixedSizes.err().contains("same size"), mixedSizes.err());
    }
}

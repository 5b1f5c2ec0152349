package dev.diffarm.engine.merge;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.safetensors.DType;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Merges of the tiny model's three forms (folder, float32 file, float16 file), which hold the same values. */
class CheckpointMergeTest {
    private static final String UNET_KEY = "model.diffusion_model.input_blocks.1.1.proj_in.weight";

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(strings = {"model.safetensors", "model-fp16.safetensors"})
    void aCheckpointMergedWithItselfIsReproducedBitForBit(String file) throws IOException {
        for (double m : new double[] {0, 0.3, 0.5, 0.77, 1}) {
            Path out = merge(MergeMode.WEIGHTED_SUM, m, file, file);
            assertSameTensors(Fixtures.sdTiny(file), out, "weighted sum m=" + m);
        }
    }

    @Test
    void addingTheDifferenceOfEqualCheckpointsGivesA() throws IOException {
        for (double m : new double[] {0.4, 1, 1.5}) {
            Path out = merge(MergeMode.ADD_DIFFERENCE, m, "model-fp16.safetensors", "model", "model.safetensors");
            assertSameTensors(Fixtures.sdTiny("model-fp16.safetensors"), out, "add difference m=" + m);
        }
    }

    @Test
    void theFolderMergedWithTheSingleFileGivesTheSingleFile() throws IOException {
        Path out = merge(MergeMode.WEIGHTED_SUM, 0.5, "model", "model.safetensors");
        assertSameTensors(Fixtures.sdTiny("model.safetensors"), out, "folder + single file");
    }

    @Test
    void mixesInFloat32AndKeepsTheTypeOfA() throws IOException {
        Path doubled = rewrite("doubled.safetensors", values -> {
            for (int i = 0; i < values.length; i++) {
                values[i] *= 2;
            }
            return values;
        });
        Path sum = merge(MergeMode.WEIGHTED_SUM, 0.25, "model-fp16.safetensors", doubled.toString());
        Path difference = merge(MergeMode.ADD_DIFFERENCE, 0.5, "model-fp16.safetensors", doubled.toString(), "model");
        try (SafetensorsFile original = SafetensorsFile.open(Fixtures.sdTiny("model.safetensors"));
             SafetensorsFile weighted = SafetensorsFile.open(sum);
             SafetensorsFile added = SafetensorsFile.open(difference)) {
            for (String key : List.of(UNET_KEY, "first_stage_model.decoder.mid.attn_1.q.weight",
                    "cond_stage_model.transformer.text_model.encoder.layers.0.mlp.fc1.weight")) {
                assertEquals(DType.F16, weighted.info(key).dtype(), key);
                float[] a = original.floats(key);
                float[] expected = a.clone();
                for (int i = 0; i < a.length; i++) {
                    expected[i] = 1.25f * a[i];  // 0.75 a + 0.25 (2a), and a + 0.5 (2a - a)
                }
                // float16 keeps 11 significant bits: half an ulp is 2^-11 relative
                Parity.assertClose("weighted sum 0.25 " + key, expected, weighted.floats(key), 1.0 / 2048);
                float[] plusHalf = a.clone();
                for (int i = 0; i < a.length; i++) {
                    plusHalf[i] = 1.5f * a[i];
                }
                Parity.assertClose("add difference 0.5 " + key, plusHalf, added.floats(key), 1.0 / 2048);
            }
        }
    }

    @Test
    void aTensorMissingFromOneInputIsNamed() throws IOException {
        Path incomplete = rewrite("incomplete.safetensors", UnaryOperator.identity(), UNET_KEY);
        MergeException e = assertThrows(MergeException.class,
                () -> merge(MergeMode.WEIGHTED_SUM, 0.5, "model.safetensors", incomplete.toString()));
        assertTrue(e.getMessage().startsWith("the checkpoints are of different architectures: B " + incomplete
                + " lacks 1 UNet tensors of A "), e.getMessage());
        assertTrue(e.getMessage().endsWith("e.g. down_blocks.0.attentions.0.proj_in.weight"), e.getMessage());
    }

    @Test
    void aTensorOfAnotherShapeIsNamed() throws IOException {
        Path reshaped = dir.resolve("reshaped.safetensors");
        try (SafetensorsFile model = SafetensorsFile.open(Fixtures.sdTiny("model.safetensors"));
             NDManager manager = NDManager.newBaseManager()) {
            SafetensorsWriter writer = new SafetensorsWriter();
            for (String key : model.names()) {
                writer.add(key, key.equals(UNET_KEY) ? manager.zeros(new ai.djl.ndarray.types.Shape(64, 32, 1, 1))
                        : model.load(key, manager));
            }
            writer.write(reshaped);
        }
        MergeException e = assertThrows(MergeException.class,
                () -> merge(MergeMode.ADD_DIFFERENCE, 1, "model", "model.safetensors", reshaped.toString()));
        assertTrue(e.getMessage().contains("UNet tensor down_blocks.0.attentions.0.proj_in.weight is [32, 32, 1, 1] in A "),
                e.getMessage());
        assertTrue(e.getMessage().endsWith("but [64, 32, 1, 1] in C " + reshaped), e.getMessage());
    }

    @Test
    void progressCountsEveryTensorAndStoppingItWritesNothing() throws IOException {
        List<String> seen = new ArrayList<>();
        Path out = dir.resolve("followed.safetensors");
        try (ModelFiles a = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty());
             ModelFiles b = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty())) {
            CheckpointMerge.Result result = CheckpointMerge.merge(MergeMode.WEIGHTED_SUM, 0.5, List.of(a, b), out,
                    (merged, total) -> seen.add(merged + "/" + total));
            int total = result.tensors() - 1;  // position_ids is written, not merged
            List<String> expected = new ArrayList<>();
            for (int i = 1; i <= total; i++) {
                expected.add(i + "/" + total);
            }
            assertEquals(expected, seen);

            Path stopped = dir.resolve("stopped.safetensors");
            IllegalStateException e = assertThrows(IllegalStateException.class, () -> CheckpointMerge.merge(
                    MergeMode.WEIGHTED_SUM, 0.5, List.of(a, b), stopped, (merged, all) -> {
                        if (merged == 3) {
                            throw new IllegalStateException("stop");
                        }
                    }));
            assertEquals("stop", e.getMessage());
            assertTrue(Files.notExists(stopped));
            try (var left = Files.list(dir)) {
                assertEquals(List.of(out), left.toList(), "no temporary file is left behind");
            }
        }
    }

    @Test
    void multipliersOutOfRangeAreRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> merge(MergeMode.WEIGHTED_SUM, 1.5, "model", "model"));
        assertEquals("--m 1.5: the weighted sum takes 0 <= m <= 1 (the share of B)", e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> merge(MergeMode.ADD_DIFFERENCE, -1, "model", "model", "model"));
        assertEquals("--m -1.0: add difference takes a finite m >= 0 (1 adds all of B - C)", e.getMessage());
    }

    /** Merges fixtures (or files given by path) into a new file. */
    private Path merge(MergeMode mode, double m, String... inputs) throws IOException {
        Path out = dir.resolve("merged-" + System.nanoTime() + ".safetensors");
        List<ModelFiles> files = new ArrayList<>();
        try {
            for (String input : inputs) {
                Path path = input.contains("/") ? Path.of(input) : Fixtures.sdTiny(input);
                files.add(ModelFiles.open(path, Optional.of(Fixtures.sdTiny("model"))));
            }
            CheckpointMerge.Result result = CheckpointMerge.merge(mode, m, files, out);
            assertEquals(List.of(), result.notWritten());
        } finally {
            files.forEach(ModelFiles::close);
        }
        return out;
    }

    /** model.safetensors with every float tensor passed through {@code change}, less the {@code dropped} keys. */
    private Path rewrite(String name, UnaryOperator<float[]> change, String... dropped) throws IOException {
        Path file = dir.resolve(name);
        try (SafetensorsFile model = SafetensorsFile.open(Fixtures.sdTiny("model.safetensors"))) {
            SafetensorsWriter writer = new SafetensorsWriter();
            for (String key : model.names()) {
                if (List.of(dropped).contains(key)) {
                    continue;
                }
                if (model.info(key).dtype() == DType.I64) {
                    writer.add(key, model.longs(key), model.info(key).shape());
                } else {
                    writer.add(key, change.apply(model.floats(key)), model.info(key).shape());
                }
            }
            writer.write(file);
        }
        return file;
    }

    /** Same names, types, shapes and bits (floats compared by their bits, so -0 differs from +0). */
    private static void assertSameTensors(Path expectedFile, Path actualFile, String what) {
        try (SafetensorsFile expected = SafetensorsFile.open(expectedFile);
             SafetensorsFile actual = SafetensorsFile.open(actualFile)) {
            assertEquals(new java.util.TreeSet<>(expected.names()), new java.util.TreeSet<>(actual.names()), what);
            for (String key : expected.names()) {
                assertEquals(expected.info(key).dtype(), actual.info(key).dtype(), what + " " + key);
                assertArrayEquals(expected.info(key).shape(), actual.info(key).shape(), what + " " + key);
                if (expected.info(key).dtype() == DType.I64) {
                    assertArrayEquals(expected.longs(key), actual.longs(key), what + " " + key);
                } else {
                    assertArrayEquals(expected.floats(key), actual.floats(key), what + " " + key);
                }
            }
        }
    }
}

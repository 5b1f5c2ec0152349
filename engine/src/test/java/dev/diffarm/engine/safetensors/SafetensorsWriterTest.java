package dev.diffarm.engine.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsWriterTest {
    @TempDir
    Path dir;

    @Test
    void roundTripKeepsTypesShapesValuesOrderAndMetadata() throws IOException {
        Path file = dir.resolve("round.safetensors");
        // every float below is exact in float16, so the F16 tensor reads back unchanged
        float[] halfExact = {0.5f, -2f, 65504f, 0x1p-24f, -0f};
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray f32 = m.create(new float[] {1.5f, -2.25f, 3e-8f, 7f, Float.MAX_VALUE, -0f}, new Shape(2, 3));
            NDArray f16 = m.create(halfExact).toType(DataType.FLOAT16, false);
            NDArray i64 = m.create(new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE});
            NDArray emptyF32 = m.create(new Shape(0, 5), DataType.FLOAT32);
            new SafetensorsWriter()
                    .add("half", f16)
                    .add("weight", f32)
                    .add("ids", i64)
                    .add("scalar", new float[] {3.25f})
                    .add("count", new long[] {77})
                    .add("empty", new float[0], 2, 0)
                    .add("no_ids", new long[0], 0)
                    .add("empty_array", emptyF32)
                    .metadata("format", "pt")
                    .metadata("note", "ünïcode, \"quoted\"\n")
                    .write(file);
        }
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertEquals(List.of("half", "weight", "ids", "scalar", "count", "empty", "no_ids", "empty_array"),
                    List.copyOf(st.names()));
            assertEquals(List.of(Map.entry("format", "pt"), Map.entry("note", "ünïcode, \"quoted\"\n")),
                    List.copyOf(st.metadata().entrySet()));
            assertInfo(st, "half", DType.F16, 5);
            assertInfo(st, "weight", DType.F32, 2, 3);
            assertInfo(st, "ids", DType.I64, 3);
            assertInfo(st, "scalar", DType.F32);
            assertInfo(st, "count", DType.I64);
            assertInfo(st, "empty", DType.F32, 2, 0);
            assertInfo(st, "no_ids", DType.I64, 0);
            assertInfo(st, "empty_array", DType.F32, 0, 5);
            assertBits(halfExact, st.floats("half"));
            assertBits(new float[] {1.5f, -2.25f, 3e-8f, 7f, Float.MAX_VALUE, -0f}, st.floats("weight"));
            assertArrayEquals(new long[] {Long.MIN_VALUE, -1, Long.MAX_VALUE}, st.longs("ids"));
            assertBits(new float[] {3.25f}, st.floats("scalar"));
            assertArrayEquals(new long[] {77}, st.longs("count"));
            assertEquals(0, st.floats("empty").length);
            assertEquals(0, st.longs("no_ids").length);
            try (NDManager m = NDManager.newBaseManager()) {
                NDArray scalar = st.load("scalar", m);
                assertEquals(new Shape(), scalar.getShape());
                assertEquals(3.25f, scalar.getFloat());
                NDArray half = st.load("half", m);
                assertEquals(DataType.FLOAT32, half.getDataType());
                assertBits(halfExact, half.toFloatArray());
                assertEquals(new Shape(0, 5), st.load("empty_array", m).getShape());
            }
        }
    }

    @Test
    void headerIsPaddedWithSpacesAndEveryTensorStartsAtAMultipleOfItsElementSize() throws IOException {
        Path file = dir.resolve("aligned.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            new SafetensorsWriter()
                    .add("bytes", m.create(new byte[] {1, 2, 3}))
                    .add("half", m.create(new float[] {1, 2, 3}).toType(DataType.FLOAT16, false))
                    .add("ints", m.create(new int[] {4, 5, 6}))
                    .add("longs", new long[] {7, 8, 9}, 3)
                    .add("floats", new float[] {1}, 1)
                    .metadata("k", "v")
                    .write(file);
        }
        byte[] raw = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN).getLong();
        long dataStart = 8 + headerLength;
        assertEquals(0, dataStart % 8, "data section starts at " + dataStart);
        String header = new String(raw, 8, (int) headerLength, StandardCharsets.UTF_8);
        assertTrue(header.startsWith("{\"__metadata__\":{\"k\":\"v\"}"), header);
        assertTrue(header.stripTrailing().endsWith("}"), header);
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            long end = 0;
            for (String name : st.names()) {
                TensorInfo info = st.info(name);
                assertEquals(0, (dataStart + info.begin()) % info.dtype().bytes(), info + " at " + info.begin());
                end = Math.max(end, info.end());
            }
            assertEquals(raw.length, dataStart + end, "the data section has no gaps and no tail");
            assertArrayEquals(new long[] {1, 2, 3}, st.longs("bytes"));
            assertArrayEquals(new long[] {4, 5, 6}, st.longs("ints"));
            assertArrayEquals(new long[] {7, 8, 9}, st.longs("longs"));
            assertBits(new float[] {1, 2, 3}, st.floats("half"));
        }
    }

    @Test
    void replacingAFileLeavesOpenReadersOnTheOldContent() throws IOException {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().add("w", new float[] {1, 2}, 2).write(file);
        try (SafetensorsFile old = SafetensorsFile.open(file)) {
            new SafetensorsWriter().add("w", new float[] {3, 4, 5}, 3).write(file);
            assertBits(new float[] {1, 2}, old.floats("w"));
            try (SafetensorsFile replaced = SafetensorsFile.open(file)) {
                assertBits(new float[] {3, 4, 5}, replaced.floats("w"));
            }
        }
        assertEquals(List.of("model.safetensors"), filesIn(dir), "no temporary file is left behind");
    }

    @Test
    void aFailedWriteLeavesTheTargetUntouchedAndNoTemporaryFile() throws IOException {
        Path file = dir.resolve("model.safetensors");
        new SafetensorsWriter().add("w", new float[] {1, 2}, 2).write(file);
        byte[] before = Files.readAllBytes(file);
        SafetensorsWriter writer = new SafetensorsWriter().add("first", new float[] {9}, 1);
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray closed = m.create(new float[] {1, 2, 3});
            writer.add("closed", closed);
            closed.close();
            assertThrows(RuntimeException.class, () -> writer.write(file));
        }
        assertArrayEquals(before, Files.readAllBytes(file));
        assertEquals(List.of("model.safetensors"), filesIn(dir));
    }

    @Test
    void refusesInputItCannotWriteFaithfully() {
        SafetensorsWriter writer = new SafetensorsWriter().add("a", new float[] {1}, 1);
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> writer.add("b", new float[] {1, 2, 3}, 2, 2));
        assertTrue(mismatch.getMessage().contains("'b'") && mismatch.getMessage().contains("[2, 2] holds 4 values, got 3"),
                mismatch.getMessage());
        assertThrows(IllegalArgumentException.class, () -> writer.add("a", new float[] {2}, 1), "duplicate name");
        assertThrows(IllegalArgumentException.class, () -> writer.add("__metadata__", new long[] {1}, 1));
        assertThrows(IllegalArgumentException.class, () -> writer.add("neg", new long[0], -1, 0));
    }

    @Test
    void producedTensorsAreMadeOneAtATimeAndRoundedToTheirType() throws IOException {
        Path file = dir.resolve("produced.safetensors");
        List<NDArray> made = new java.util.ArrayList<>();
        SafetensorsWriter writer = new SafetensorsWriter();
        for (int i = 0; i < 3; i++) {
            float first = i;
            writer.add("half" + i, DType.F16, new long[] {2, 2}, manager -> {
                made.forEach(previous -> assertTrue(previous.isReleased(), "the tensor made before is freed"));
                NDArray values = manager.create(new float[] {first, 0.1f, -0f, 70000f}, new Shape(2, 2));
                made.add(values);
                return values;
            });
        }
        // ties go to the even neighbour (1 + 2^-8 down to 1, 1 + 3 * 2^-8 up to 1 + 2^-6); 1.9999999 carries into 2
        writer.add("brain", DType.BF16, new long[] {5},
                manager -> manager.create(new float[] {1.00390625f, 1.01171875f, -2.5f, Float.NaN, 1.9999999f}));
        writer.write(file);
        assertEquals(3, made.size());
        assertTrue(made.get(2).isReleased(), "the last tensor is freed too");
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            assertInfo(st, "half1", DType.F16, 2, 2);
            assertArrayEquals(new float[] {1f, 0.0999755859375f, -0f, Float.POSITIVE_INFINITY}, st.floats("half1"));
            assertInfo(st, "brain", DType.BF16, 5);
            assertArrayEquals(new float[] {1f, 1.015625f, -2.5f, Float.NaN, 2f}, st.floats("brain"));
        }
    }

    @Test
    void aProducedTensorOfTheWrongShapeFailsTheWrite() {
        SafetensorsWriter writer = new SafetensorsWriter()
                .add("x", DType.F32, new long[] {3}, manager -> manager.create(new float[] {1, 2}));
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> writer.write(dir.resolve("bad.safetensors")));
        assertEquals("tensor 'x' was made with shape (2), announced as [3]", e.getMessage());
    }

    private static void assertInfo(SafetensorsFile st, String name, DType dtype, long... shape) {
        TensorInfo info = st.info(name);
        assertEquals(dtype, info.dtype(), name);
        assertArrayEquals(shape, info.shape(), name);
    }

    /** Float equality bit for bit, so that -0 and 0 differ. */
    static void assertBits(float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]),
                    "element " + i + ": expected " + expected[i] + ", got " + actual[i]);
        }
    }

    private static List<String> filesIn(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
        }
    }
}

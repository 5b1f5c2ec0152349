package dev.diffarm.engine.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsLoadTest {
    @TempDir
    Path dir;

    /**
     * The bytes of the file are changed after {@code load}: an array that wraps the mapped pages
     * sees the change (Linux shows a private mapping's untouched pages from the page cache), a copy
     * would not. The F16 tensor, which is widened into a new array, shows that the test can tell.
     */
    @Test
    void loadingFloat32WrapsTheMappedFileWithoutACopy() throws IOException {
        float[] values = new float[1024];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f - 100;
        }
        Path file = dir.resolve("w.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            new SafetensorsWriter()
                    .add("w", values, 32, 32)
                    .add("h", m.create(new float[] {1, 2}).toType(DataType.FLOAT16, false))
                    .write(file);
        }
        try (NDManager m = NDManager.newBaseManager()) {
            NDArray w;
            NDArray h;
            long wAt;
            long hAt;
            try (SafetensorsFile st = SafetensorsFile.open(file)) {
                w = st.load("w", m);
                h = st.load("h", m);
                wAt = RawSafetensors.dataStart(file) + st.info("w").begin();
                hAt = RawSafetensors.dataStart(file) + st.info("h").begin();
            }
            assertEquals(new Shape(32, 32), w.getShape());
            assertEquals(DataType.FLOAT32, w.getDataType());
            assertArrayEquals(values, w.toFloatArray(), 0f);

            try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
                channel.write(ByteBuffer.wrap(RawSafetensors.floats(12345f)), wAt + 4 * 7);
                channel.write(ByteBuffer.wrap(new byte[] {0, 0x7c}), hAt); // F16 infinity
            }
            assertEquals(12345f, w.toFloatArray()[7], "the F32 array reads the file's pages: zero-copy");
            assertEquals(1f, h.toFloatArray()[0], "the widened F16 array is a copy");
        }
    }

    /** A mapped weight changed in place (a fused LoRA) must neither crash the JVM nor change the model file. */
    @Test
    void inPlaceChangesToALoadedArrayNeverReachTheFile() throws IOException {
        assertInPlaceChangeStaysInMemory(SafetensorsFile::open);
    }

    /** The same where the file can only be opened for reading, and load copies. */
    @Test
    void readOnlyFilesAreLoadedAsCopiesThatCanChangeInPlace() throws IOException {
        assertInPlaceChangeStaysInMemory(SafetensorsFile::openReadOnly);
    }

    private void assertInPlaceChangeStaysInMemory(Function<Path, SafetensorsFile> opener) throws IOException {
        Path file = dir.resolve("w.safetensors");
        try (NDManager m = NDManager.newBaseManager()) {
            new SafetensorsWriter().add("w", new float[] {1, 2, 3}, 3).add("ids", m.create(new long[] {4, 5})).write(file);
        }
        byte[] before = Files.readAllBytes(file);
        try (SafetensorsFile st = opener.apply(file); NDManager m = NDManager.newBaseManager()) {
            NDArray w = st.load("w", m);
            NDArray ids = st.load("ids", m);
            assertArrayEquals(new float[] {1, 2, 3}, w.toFloatArray(), 0f);
            assertArrayEquals(new long[] {4, 5}, ids.toLongArray());
            w.addi(10);
            ids.subi(4);
            assertArrayEquals(new float[] {11, 12, 13}, w.toFloatArray(), 0f);
            assertArrayEquals(new long[] {0, 1}, ids.toLongArray());
            assertArrayEquals(new float[] {1, 2, 3}, st.floats("w"), 0f);
        }
        assertArrayEquals(before, Files.readAllBytes(file));
    }
}

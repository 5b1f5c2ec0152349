package dev.diffarm.engine.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file over 2 GiB, as real checkpoints are, without using 2 GiB of disk: the file is sparse. A
 * 2 GiB byte tensor fills the hole (so the data section has no gaps, as the format asks) and a small
 * tensor lies beyond it, past every offset an int can hold.
 */
class LargeSafetensorsTest {
    private static final long TWO_GIB = 1L << 31;

    @TempDir
    Path dir;

    @Test
    void readsATensorBeyondTheTwoGibibyteOffset() throws IOException {
        float[] tail = {1.5f, -2.5f, 3.5f, 1e-3f};
        String header = "{\"hole\":{\"dtype\":\"U8\",\"shape\":[" + TWO_GIB + "],\"data_offsets\":[0," + TWO_GIB + "]},"
                + "\"tail\":{\"dtype\":\"F32\",\"shape\":[2,2],\"data_offsets\":[" + TWO_GIB + "," + (TWO_GIB + 16) + "]}}";
        Path file = RawSafetensors.write(dir.resolve("large.safetensors"), header, new byte[0]);
        long dataStart = RawSafetensors.dataStart(file);
        try (RandomAccessFile raw = new RandomAccessFile(file.toFile(), "rw")) {
            raw.setLength(dataStart + TWO_GIB + 16);
            raw.getChannel().write(ByteBuffer.wrap(RawSafetensors.floats(tail)), dataStart + TWO_GIB);
        }
        try (SafetensorsFile st = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
            assertEquals(TWO_GIB, st.info("tail").begin());
            assertArrayEquals(tail, st.floats("tail"), 0f);
            assertArrayEquals(tail, st.load("tail", m).toFloatArray(), 0f);
            SafetensorsException tooBig = assertThrows(SafetensorsException.class, () -> st.load("hole", m));
            assertTrue(tooBig.getMessage().contains(file.toString()) && tooBig.getMessage().contains("'hole'")
                    && tooBig.getMessage().contains("limited to 2 GiB"), tooBig.getMessage());
        }
    }
}

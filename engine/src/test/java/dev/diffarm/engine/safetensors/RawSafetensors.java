package dev.diffarm.engine.safetensors;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Builds safetensors files byte by byte, so that tests can make any file, well-formed or not. */
final class RawSafetensors {
    private RawSafetensors() {
    }

    /** A file with {@code header} (padded with spaces to align the data) and {@code data}. */
    static Path write(Path file, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        int padding = (8 - json.length % 8) % 8;
        return write(file, json.length + padding, header + " ".repeat(padding), data);
    }

    /** A file whose 8-byte length field says {@code declaredLength}, whatever follows. */
    static Path write(Path file, long declaredLength, String header, byte[] data) throws IOException {
        byte[] json = header.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bytes = ByteBuffer.allocate(8 + json.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.putLong(declaredLength).put(json).put(data);
        return Files.write(file, bytes.array());
    }

    static byte[] floats(float... values) {
        ByteBuffer bytes = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return bytes.array();
    }

    /** Every 16-bit pattern 0..65535 in order, little-endian: each F16 or BF16 value once. */
    static byte[] every16BitPattern() {
        ByteBuffer bytes = ByteBuffer.allocate(65536 * 2).order(ByteOrder.LITTLE_ENDIAN);
        for (int bits = 0; bits < 65536; bits++) {
            bytes.putShort((short) bits);
        }
        return bytes.array();
    }

    /** The data section's offset in {@code file}: 8 plus the header length it declares. */
    static long dataStart(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            channel.read(length, 0);
            return 8 + length.getLong(0);
        }
    }
}

package dev.diffarm.engine.lora;

import dev.diffarm.engine.safetensors.SafetensorsException;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * The hash AUTOMATIC1111 records for a LoRA in the PNG's {@code Lora hashes}: the SHA-256 of the safetensors file's
 * data section — every byte after the 8-byte header length and the JSON header, so that editing the metadata keeps
 * the hash (kohya's "addnet" hash) — or, where the trainer stored it in the metadata as {@code sshs_model_hash}, that
 * value; A1111 writes the first 12 hex digits.
 */
public final class LoraHash {
    private static final int SHORT_LENGTH = 12;
    private static final int BUFFER_BYTES = 1 << 20;
    private static final String STORED_HASH = "sshs_model_hash";

    private LoraHash() {
    }

    /** A1111's short LoRA hash: 12 lower-case hex digits. */
    public static String shortHash(Path file) throws IOException {
        String stored;
        try (SafetensorsFile st = SafetensorsFile.open(file)) {
            stored = st.metadata().getOrDefault(STORED_HASH, "");
        } catch (SafetensorsException e) {
            throw new LoraException("LoRA " + file + ": " + e.getMessage(), e);
        }
        String hash = stored.isEmpty() ? dataSha256(file) : stored;
        return hash.substring(0, Math.min(SHORT_LENGTH, hash.length()));
    }

    /** The lower-case hex SHA-256 of the data section of a safetensors file whose header was checked. */
    private static String dataSha256(Path file) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
            if (channel.read(length, 0) != length.capacity()) {
                throw new IOException(file + ": shorter than a safetensors header");
            }
            channel.position(8 + length.getLong(0));
            ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                sha256.update(buffer);
                buffer.clear();
            }
        }
        return HexFormat.of().formatHex(sha256.digest());
    }
}

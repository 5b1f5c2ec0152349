package dev.diffarm.engine.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Writes a file so that readers see either its old content or the complete new one, never a part:
 * the content goes to a hidden temporary file beside the target, is forced to disk, and is then
 * renamed over the target. A process that has the old file open or memory-mapped keeps reading the
 * old content. If writing fails, the temporary file is removed and the target is left untouched.
 */
public final class AtomicFile {
    private AtomicFile() {
    }

    /** What goes into the file, written from the start of a fresh channel. */
    @FunctionalInterface
    public interface Content {
        void writeTo(FileChannel channel) throws IOException;
    }

    /** Replaces (or creates) {@code target} with {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        write(target, channel -> {
            ByteBuffer buffer = ByteBuffer.wrap(bytes);
            while (buffer.hasRemaining()) {
                channel.write(buffer);
            }
        });
    }

    /** Replaces (or creates) {@code target} with {@code content}. */
    public static void write(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        // Beside the target, so that the rename stays within one file system and can be atomic;
        // created with CREATE_NEW rather than createTempFile to get the usual permissions, not 0600.
        Path temp = absolute.resolveSibling("." + absolute.getFileName() + "."
                + Long.toHexString(ThreadLocalRandom.current().nextLong()) + ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                content.writeTo(channel);
                channel.force(true);
            }
            Files.move(temp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(temp);
            } catch (IOException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }
}

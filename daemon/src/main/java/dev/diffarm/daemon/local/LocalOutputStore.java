package dev.diffarm.daemon.local;

import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.engine.io.AtomicFile;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The embedded store: each object is a file at its key under a root folder ({@code <local>/outputs}), so
 * {@code jobs/cats-1/t0000.png} is {@code <root>/jobs/cats-1/t0000.png}. Files are replaced atomically
 * ({@link AtomicFile}): written to a hidden file in the same folder and renamed, so that a put that fails
 * halfway leaves the old object. Neither the content type nor a SHA-256 is kept: the file name says the type,
 * and the file is there to hash. Hidden files (a write in progress) are not objects.
 */
public final class LocalOutputStore implements OutputStore {
    /** Bytes copied at a time: large enough for disk speed, small enough to be no concern for the heap. */
    private static final int COPY_BUFFER = 1 << 20;

    private final Path root;

    public LocalOutputStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(file(key));
    }

    @Override
    public Optional<InputStream> open(String key) {
        try {
            return Optional.of(Files.newInputStream(file(key)));
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read " + key + " from " + root + ": " + e, e);
        }
    }

    /** Writes a hidden file beside the object's and renames it over the object once all is written and synced. */
    @Override
    public void put(String key, InputStream content, long length, ObjectMetadata metadata) {
        Path file = file(key);
        if (length < 0) {
            throw new IllegalArgumentException("length of " + key + " = " + length + ": expected 0 or more bytes");
        }
        try {
            Files.createDirectories(file.getParent());
            AtomicFile.write(file, channel -> copy(content, length, channel));
        } catch (IOException e) {
            throw new StoreException("cannot write " + key + " to " + root + ": " + e, e);
        }
    }

    /** Copies exactly {@code length} bytes, through a buffer of at most {@value #COPY_BUFFER} bytes. */
    private static void copy(InputStream content, long length, FileChannel channel) throws IOException {
        byte[] buffer = new byte[(int) Math.min(COPY_BUFFER, length)];
        long left = length;
        while (left > 0) {
            int read = content.read(buffer, 0, (int) Math.min(buffer.length, left));
            if (read < 0) {
                throw new EOFException("the content ended after " + (length - left) + " of its " + length + " bytes");
            }
            ByteBuffer chunk = ByteBuffer.wrap(buffer, 0, read);
            while (chunk.hasRemaining()) {
                channel.write(chunk);
            }
            left -= read;
        }
    }

    @Override
    public List<String> list(String prefix) {
        Path start = file(prefix.contains("/") ? prefix.substring(0, prefix.lastIndexOf('/') + 1) : "");
        if (!Files.isDirectory(start)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(start)) {
            return files.filter(Files::isRegularFile)
                    .filter(file -> !file.getFileName().toString().startsWith("."))
                    .map(file -> root.relativize(file).toString().replace(file.getFileSystem().getSeparator(), "/"))
                    .filter(key -> key.startsWith(prefix))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new StoreException("cannot list " + prefix + " in " + root + ": " + e, e);
        }
    }

    /** Creates the root folder if absent, and checks that it can be written. */
    @Override
    public void check() {
        try {
            Files.createDirectories(root);
        } catch (IOException e) {
            throw new StoreException("cannot create the output folder " + root + ": " + e, e);
        }
        if (!Files.isWritable(root)) {
            throw new StoreException("cannot write to the output folder " + root, null);
        }
    }

    @Override
    public String location() {
        return root.toString();
    }

    /** The file of {@code key}, refusing keys that would leave the root. */
    private Path file(String key) {
        Path file = root.resolve(key).normalize();
        if (!file.startsWith(root) || key.startsWith("/")) {
            throw new IllegalArgumentException("object key \"" + key + "\": expected a relative path inside the store");
        }
        return file;
    }
}

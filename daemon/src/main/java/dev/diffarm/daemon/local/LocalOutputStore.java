package dev.diffarm.daemon.local;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.engine.io.AtomicFile;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The embedded store: each object is a file at its key under a root folder ({@code <local>/outputs}), so
 * {@code jobs/cats-1/t0000.png} is {@code <root>/jobs/cats-1/t0000.png}. Files are replaced atomically
 * ({@link AtomicFile}); the content type is not kept, the file name says it. Hidden files (a write in
 * progress) are not objects.
 */
public final class LocalOutputStore implements OutputStore {
    private final Path root;

    public LocalOutputStore(Path root) {
        this.root = root.toAbsolutePath().normalize();
    }

    @Override
    public boolean exists(String key) {
        return Files.isRegularFile(file(key));
    }

    @Override
    public Optional<byte[]> get(String key) {
        try {
            return Optional.of(Files.readAllBytes(file(key)));
        } catch (NoSuchFileException absent) {
            return Optional.empty();
        } catch (IOException e) {
            throw new StoreException("cannot read " + key + " from " + root + ": " + e, e);
        }
    }

    @Override
    public void put(String key, byte[] bytes, String contentType) {
        Path file = file(key);
        try {
            Files.createDirectories(file.getParent());
            AtomicFile.write(file, channel -> {
                ByteBuffer buffer = ByteBuffer.wrap(bytes);
                while (buffer.hasRemaining()) {
                    channel.write(buffer);
                }
            });
        } catch (IOException e) {
            throw new StoreException("cannot write " + key + " to " + root + ": " + e, e);
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

package dev.diffarm.daemon.port;

import dev.diffarm.engine.io.AtomicFile;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.Channels;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Where outputs are stored under object keys such as {@code jobs/<jobId>/t0000.png}: a local folder on a
 * laptop, an S3 bucket on a farm; both hold the same keys. Keys are {@code /}-separated paths of the
 * characters job ids and file names use.
 *
 * <p>Objects go in and come out as streams, so that one of gigabytes (a merged checkpoint) passes through with
 * a heap that does not grow with its size; the {@code byte[]} and file methods are conveniences over the two
 * stream methods {@link #put(String, InputStream, long, ObjectMetadata)} and {@link #open(String)}, which an
 * implementation provides.
 *
 * <p>A put is atomic: a reader sees the whole new object or none (or the old one), never part of it, also when
 * the writer fails or dies halfway through a large one. This is what lets the job lifecycle write a task's
 * sidecar after its image and treat a stored sidecar as proof that the image is stored too. Implementations
 * are safe for use by several threads.
 *
 * <p>Every method throws {@link StoreException} when the store cannot be reached or written.
 */
public interface OutputStore extends AutoCloseable {

    /** Whether an object is stored under {@code key}. */
    boolean exists(String key);

    /**
     * The object stored under {@code key}, read as it streams in; empty when there is none. The caller closes
     * the stream; reading it throws an {@link IOException} when the store fails before its end.
     */
    Optional<InputStream> open(String key);

    /**
     * Stores the first {@code length} bytes of {@code content} under {@code key}, replacing what was there,
     * without holding them all in memory. The caller closes {@code content}. When {@code content} ends before
     * {@code length} bytes, or fails, nothing is stored and what was there stays.
     *
     * @param length   the object's size in bytes, known beforehand (S3 needs it to choose between one request and a
     *                 multipart upload)
     * @param metadata its content type, and its SHA-256 where the caller knows it
     */
    void put(String key, InputStream content, long length, ObjectMetadata metadata);

    /** The whole object stored under {@code key}, for small ones (images, sidecars); empty when there is none. */
    default Optional<byte[]> get(String key) {
        Optional<InputStream> object = open(key);
        if (object.isEmpty()) {
            return Optional.empty();
        }
        try (InputStream content = object.get()) {
            return Optional.of(content.readAllBytes());
        } catch (IOException e) {
            throw new StoreException("cannot read " + key + " from " + location() + ": " + e, e);
        }
    }

    /**
     * Stores {@code bytes} under {@code key}, replacing what was there.
     *
     * @param contentType the media type readers get with it, such as {@code image/png}
     */
    default void put(String key, byte[] bytes, String contentType) {
        put(key, new ByteArrayInputStream(bytes), bytes.length, ObjectMetadata.of(contentType));
    }

    /** Stores the content of {@code file} under {@code key}, streamed from the disk. */
    default void put(String key, Path file, ObjectMetadata metadata) {
        try (InputStream content = Files.newInputStream(file)) {
            put(key, content, Files.size(file), metadata);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + " to store it as " + key + " in " + location() + ": " + e, e);
        }
    }

    /**
     * Copies the object stored under {@code key} into {@code target}, streamed, replacing the file atomically (a
     * hidden file beside it, renamed when complete), so that a reader of {@code target} never sees part of it. The
     * folder of {@code target} must exist.
     *
     * @return whether there was such an object; when not, {@code target} is left as it was
     */
    default boolean download(String key, Path target) {
        Optional<InputStream> object = open(key);
        if (object.isEmpty()) {
            return false;
        }
        try (InputStream content = object.get()) {
            AtomicFile.write(target, channel -> {
                OutputStream file = Channels.newOutputStream(channel);
                content.transferTo(file);
                file.flush();
            });
            return true;
        } catch (IOException e) {
            throw new StoreException("cannot download " + key + " from " + location() + " to " + target + ": " + e, e);
        }
    }

    /**
     * The SHA-256 that the writer of the object under {@code key} recorded with it ({@link ObjectMetadata#sha256()}),
     * where this store keeps metadata (S3 does, as {@code x-amz-meta-sha256}); empty when none was recorded, the store
     * keeps none, or there is no such object.
     */
    default Optional<String> recordedSha256(String key) {
        return Optional.empty();
    }

    /** The keys that start with {@code prefix}, sorted. */
    List<String> list(String prefix);

    /**
     * Makes sure that objects can be stored now, preparing the store where it needs it (creates its folder or
     * its bucket). The daemon calls it every few seconds and takes jobs only while it passes.
     *
     * @throws StoreException naming the store and what failed
     */
    void check();

    /** Where the store is, for logs and health checks: a folder or a bucket URL. */
    String location();

    @Override
    default void close() {
    }
}

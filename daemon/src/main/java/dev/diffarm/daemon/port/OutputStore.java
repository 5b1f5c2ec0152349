package dev.diffarm.daemon.port;

import java.util.List;
import java.util.Optional;

/**
 * Where outputs are stored under object keys such as {@code jobs/<jobId>/t0000.png}: a local folder on a
 * laptop, an S3 bucket on a farm; both hold the same keys. Keys are {@code /}-separated paths of the
 * characters job ids and file names use.
 *
 * <p>A {@link #put} is atomic: a reader sees the whole new object or none (or the old one), never part of
 * it. This is what lets the job lifecycle write a task's sidecar after its image and treat a stored sidecar
 * as proof that the image is stored too. Implementations are safe for use by several threads.
 *
 * <p>Every method throws {@link StoreException} when the store cannot be reached or written.
 */
public interface OutputStore extends AutoCloseable {

    /** Whether an object is stored under {@code key}. */
    boolean exists(String key);

    /** The object stored under {@code key}; empty when there is none. */
    Optional<byte[]> get(String key);

    /**
     * Stores {@code bytes} under {@code key}, replacing what was there.
     *
     * @param contentType the media type readers get with it, such as {@code image/png}
     */
    void put(String key, byte[] bytes, String contentType);

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

package dev.diffarm.daemon.render;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The SHA-256 of the catalog's objects in the shared store, where the farm reads and records it: the object's
 * {@code sha256} metadata (S3 keeps it), else a {@code <key>.sha256} object beside it whose first word is the digest
 * (what {@code sha256sum} writes; the farm writes one where the store keeps no metadata, or where an S3 client such as
 * {@code s3cmd sync} put the object without one). A node fetching an item and a node publishing one read it the same
 * way.
 */
final class StoredDigests {
    private static final Logger LOG = Logger.getLogger(StoredDigests.class);
    /** The suffix of the object that records another's SHA-256, where the store keeps no metadata. */
    static final String SUFFIX = ".sha256";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final OutputStore store;

    StoredDigests(OutputStore store) {
        this.store = store;
    }

    /** Whether {@code key} is a digest object rather than an item's. */
    static boolean isDigestKey(String key) {
        return key.endsWith(SUFFIX);
    }

    /** The object's {@code sha256} metadata, else the first word of the {@code <key>.sha256} object. */
    Optional<String> recorded(String key) {
        return store.recordedSha256(key).or(() -> store.get(key + SUFFIX)
                .map(bytes -> new String(bytes, StandardCharsets.UTF_8).strip().split("\\s+")[0].toLowerCase(Locale.ROOT))
                .filter(digest -> SHA256.matcher(digest).matches()));
    }

    /** Records {@code sha256} as the digest of {@code key}, in a {@code <key>.sha256} object. */
    void record(String key, String sha256) {
        store.put(key + SUFFIX, (sha256 + "\n").getBytes(StandardCharsets.UTF_8), "text/plain");
        LOG.infof("%s: recorded its SHA-256 %s as %s%s", key, sha256, key, SUFFIX);
    }

    /**
     * The recorded digest of {@code key}; where none is, the one computed by streaming the object, which is recorded
     * then (so that it is computed once).
     *
     * @return empty when the store has no such object
     */
    Optional<String> recordedOrComputed(String key) {
        Optional<String> recorded = recorded(key);
        if (recorded.isPresent()) {
            return recorded;
        }
        Optional<InputStream> object = store.open(key);
        if (object.isEmpty()) {
            return Optional.empty();
        }
        MessageDigest digest = sha256();
        try (InputStream content = new DigestInputStream(object.get(), digest)) {
            content.transferTo(OutputStream.nullOutputStream());
        } catch (IOException e) {
            throw new StoreException("cannot read " + key + " from " + store.location() + " to compute its SHA-256: " + e, e);
        }
        String computed = HexFormat.of().formatHex(digest.digest());
        record(key, computed);
        return Optional.of(computed);
    }

    /** The SHA-256 of a file's content, as 64 lowercase hex digits. */
    static String of(Path file) throws IOException {
        MessageDigest digest = sha256();
        try (InputStream content = new DigestInputStream(Files.newInputStream(file), digest)) {
            content.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}

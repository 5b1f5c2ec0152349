package dev.diffarm.daemon.port;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a writer states about an object besides its bytes.
 *
 * @param contentType the media type readers get with it, such as {@code image/png}
 * @param sha256      the SHA-256 of its bytes as 64 lowercase hex digits, where the writer has computed it (a model
 *                    checkpoint); an S3 store keeps it as the user metadata {@value #SHA256_METADATA}, so that
 *                    other nodes and S3 clients can verify a copy without reading the object twice
 */
public record ObjectMetadata(String contentType, Optional<String> sha256) {
    /** The S3 user-metadata name of {@link #sha256()}, sent as the header {@code x-amz-meta-sha256}. */
    public static final String SHA256_METADATA = "sha256";
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    public ObjectMetadata {
        Objects.requireNonNull(contentType, "contentType");
        Objects.requireNonNull(sha256, "sha256");
        sha256.filter(digest -> !SHA256.matcher(digest).matches()).ifPresent(digest -> {
            throw new IllegalArgumentException("sha256 = \"" + digest + "\": expected 64 lowercase hex digits");
        });
    }

    /** A content type without a digest. */
    public static ObjectMetadata of(String contentType) {
        return new ObjectMetadata(contentType, Optional.empty());
    }

    /** A content type with the SHA-256 of the object's bytes. */
    public static ObjectMetadata withSha256(String contentType, String sha256) {
        return new ObjectMetadata(contentType, Optional.of(sha256));
    }
}

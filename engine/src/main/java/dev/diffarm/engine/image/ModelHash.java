package dev.diffarm.engine.image;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The SHA-256 of a model, and A1111's "Model hash": its first 10 hex digits ({@code shorthash} in
 * A1111's {@code sd_models}, the hash of the whole checkpoint file).
 *
 * <p>A diffusers folder has no single file, so its hash is that of the listing {@code sha256sum}
 * prints for all its files: one line {@code <sha256 hex>  <relative/path>\n} per regular file, in
 * byte order of the paths, skipping every file or folder whose name starts with a dot (such as
 * {@code .cache} or {@code .git}) and following links (Hugging Face caches link to blobs). From a
 * shell, inside the folder:
 * <pre>
 * find -L . -type f -not -path '*&#47;.*' -printf '%P\n' | LC_ALL=C sort | xargs -d '\n' sha256sum | sha256sum
 * </pre>
 * Two folders with the same files hash the same wherever they are; any change to a weight, config
 * or tokenizer file, or a file added or removed, changes it.
 */
public final class ModelHash {
    private static final int SHORT_LENGTH = 10;
    private static final int BUFFER_BYTES = 1 << 20;
    private static final long LEGACY_OFFSET = 0x100000;
    private static final int LEGACY_LENGTH = 0x10000;

    private ModelHash() {
    }

    /** The lower-case hex SHA-256 of a checkpoint file or a diffusers folder, read in 1 MiB pieces. */
    public static String sha256(Path model) throws IOException {
        return HexFormat.of().formatHex(Files.isDirectory(model) ? folderDigest(model) : fileDigest(model));
    }

    /** A1111's "Model hash": the first 10 hex digits of {@link #sha256}. */
    public static String shortHash(Path model) throws IOException {
        return sha256(model).substring(0, SHORT_LENGTH);
    }

    /**
     * A1111's old 8-digit model hash, which sd-webui-controlnet still shows and writes for ControlNet models
     * ({@code control_v11p_sd15_canny [d14c016b]}): the SHA-256 of the 64 KiB from offset 1 MiB of the file (of
     * nothing for a smaller file), first 8 hex digits. A diffusers folder has no such file; it gets the first 8
     * digits of its {@link #sha256}.
     */
    public static String legacyHash(Path model) throws IOException {
        if (Files.isDirectory(model)) {
            return sha256(model).substring(0, 8);
        }
        MessageDigest sha256 = newSha256();
        ByteBuffer window = ByteBuffer.allocate(LEGACY_LENGTH);
        try (FileChannel channel = FileChannel.open(model, StandardOpenOption.READ)) {
            long position = LEGACY_OFFSET;
            while (window.hasRemaining() && channel.read(window, position) > 0) {
                position = LEGACY_OFFSET + window.position();
            }
        }
        window.flip();
        sha256.update(window);
        return HexFormat.of().formatHex(sha256.digest()).substring(0, 8);
    }

    private static byte[] fileDigest(Path file) throws IOException {
        MessageDigest sha256 = newSha256();
        ByteBuffer buffer = ByteBuffer.allocateDirect(BUFFER_BYTES);
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            while (channel.read(buffer) >= 0) {
                buffer.flip();
                sha256.update(buffer);
                buffer.clear();
            }
        }
        return sha256.digest();
    }

    private static byte[] folderDigest(Path folder) throws IOException {
        List<String> files;
        try (Stream<Path> walk = Files.walk(folder, FileVisitOption.FOLLOW_LINKS)) {
            files = walk.filter(Files::isRegularFile)
                    .map(folder::relativize)
                    .filter(relative -> !isHidden(relative))
                    .map(relative -> relative.toString().replace(relative.getFileSystem().getSeparator(), "/"))
                    .sorted((a, b) -> Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)))
                    .collect(Collectors.toList());
        }
        MessageDigest listing = newSha256();
        for (String relative : files) {
            String line = HexFormat.of().formatHex(fileDigest(folder.resolve(relative))) + "  " + relative + "\n";
            listing.update(line.getBytes(StandardCharsets.UTF_8));
        }
        return listing.digest();
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static MessageDigest newSha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }
}

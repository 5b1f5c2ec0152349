package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.farm.config.EventError;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A train job's dataset kept in the store ({@code "dataset": "store:datasets/faces/"}): the objects under its prefix,
 * downloaded into a folder of the task's so that the run trains from it as from a local folder. A key's part after the
 * prefix is its path in the folder, so kohya's repeat folders are key segments ({@code datasets/faces/10_zwx person/a.png}
 * becomes {@code 10_zwx person/a.png}). Only images and their captions come down, within {@link Limits}; anything else
 * fails the task naming {@code dataset} and the key, before a byte of a too large object is kept.
 *
 * <p>A task downloads the objects each time it runs, also when it resumes after a crash: the resumed run takes the
 * prefix's objects as they are then. The farm does not pin them; changing them between a crash and the resume changes
 * the data the rest of the run trains on, which is the user's risk.
 */
final class StoredDataset {
    /** The extensions of the files a dataset may hold: kohya's images and their captions. */
    static final Set<String> EXTENSIONS = Set.of("png", "jpg", "jpeg", "webp", "txt");
    /** A segment of a key below the prefix: key characters, spaces (repeat folders) too, never {@code .} or {@code ..}. */
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._ ()-]{0,199}");
    /** A file, or a file in one repeat folder, as kohya's layout has them. */
    private static final int MAX_DEPTH = 2;
    private static final int COPY_BUFFER = 64 * 1024;

    /**
     * What a stored dataset may hold.
     *
     * @param maxFiles      objects under the prefix
     * @param maxFileBytes  bytes of one object
     * @param maxTotalBytes bytes of all of them together
     */
    record Limits(int maxFiles, long maxFileBytes, long maxTotalBytes) {
        /** Ample for kohya's datasets of tens to thousands of pictures; a work folder never fills a node's disk. */
        static final Limits DEFAULT = new Limits(10_000, 64L << 20, 2L << 30);
    }

    private final OutputStore store;
    private final Limits limits;

    /** @param store the job's tenant's part of the store, so that a tenant's prefix reaches its own objects only */
    StoredDataset(OutputStore store, Limits limits) {
        this.store = store;
        this.limits = limits;
    }

    /**
     * Downloads the objects under {@code prefix} into {@code target} (made if absent) and returns how many there were.
     *
     * @param dataset the job's {@code dataset} field, which failures quote
     * @throws TaskFailure naming {@code dataset} when the prefix holds nothing, too much, or a key or file it may not
     */
    int download(String dataset, String prefix, Path target) throws IOException {
        List<String> keys = store.list(prefix).stream().filter(key -> !key.endsWith("/")).toList();
        if (keys.isEmpty()) {
            throw refusal(dataset, "a store prefix holding images with .txt captions; " + prefix + " holds no object");
        }
        if (keys.size() > limits.maxFiles()) {
            throw refusal(dataset, "at most " + limits.maxFiles() + " objects; " + prefix + " holds " + keys.size());
        }
        Files.createDirectories(target);
        long total = 0;
        for (String key : keys) {
            Path file = file(dataset, target, key, key.substring(prefix.length()));
            Files.createDirectories(file.getParent());
            total += copy(dataset, key, file, limits.maxTotalBytes() - total);
        }
        return keys.size();
    }

    /** Where {@code key} goes in {@code target}: its path below the prefix, checked segment by segment. */
    private static Path file(String dataset, Path target, String key, String relative) {
        String[] segments = relative.split("/", -1);
        if (segments.length > MAX_DEPTH) {
            throw refusal(dataset, "files, or files in one folder (kohya's repeat folders such as \"10_zwx person/\"), "
                    + "under the prefix; " + key + " is " + segments.length + " levels deep");
        }
        for (String segment : segments) {
            if (!SEGMENT.matcher(segment).matches()) {
                throw refusal(dataset, "keys whose names below the prefix are letters, digits, '.', '_', '-', ' ', '(' "
                        + "or ')', starting with a letter, digit or '_'; " + key + " has \"" + segment + "\"");
            }
        }
        String name = segments[segments.length - 1];
        int dot = name.lastIndexOf('.');
        String extension = dot < 0 ? "" : name.substring(dot + 1).toLowerCase(Locale.ROOT);
        if (!EXTENSIONS.contains(extension)) {
            throw refusal(dataset, "images (.png, .jpg, .jpeg, .webp) and .txt captions; " + key + " is neither");
        }
        Path file = target.resolve(relative).normalize();
        if (!file.startsWith(target)) {
            throw refusal(dataset, "keys that stay inside the prefix; " + key + " does not");
        }
        return file;
    }

    /**
     * Streams {@code key} into {@code file}, stopping as soon as it passes the per-file limit or the {@code left}
     * bytes of the total, and returns its size.
     */
    private long copy(String dataset, String key, Path file, long left) throws IOException {
        InputStream object = store.open(key).orElseThrow(() -> refusal(dataset,
                "objects that stay while the task downloads them; " + key + " went away"));
        long size = 0;
        try (InputStream in = object; OutputStream out = Files.newOutputStream(file)) {
            byte[] buffer = new byte[COPY_BUFFER];
            for (int read = in.read(buffer); read >= 0; read = in.read(buffer)) {
                size += read;
                if (size > limits.maxFileBytes()) {
                    throw refusal(dataset, "objects of at most " + limits.maxFileBytes() + " bytes; " + key
                            + " has more");
                }
                if (size > left) {
                    throw refusal(dataset, "at most " + limits.maxTotalBytes() + " bytes in all; the objects up to "
                            + key + " have more");
                }
                out.write(buffer, 0, read);
            }
        }
        return size;
    }

    /** The failure of a task whose {@code dataset} is not what was {@code expected}. */
    static TaskFailure refusal(String dataset, String expected) {
        return new TaskFailure(new EventError("invalid-value", "dataset = \"" + dataset + "\": expected " + expected,
                Optional.of("dataset")), null);
    }
}

package dev.diffarm.daemon.render;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * One worker's loaded weights of every kind (its Stable Diffusion models, ControlNets and upscaler networks) under one
 * budget of estimated bytes ({@value ModelCache#BUDGET_SETTING}): what a task needs again starts at once, and to load
 * something new the entries used longest ago, of any kind, are freed until it fits, except those {@linkplain #use in
 * use}, which are never freed (something larger than the budget still loads beside what it cannot free, and the worker
 * is over its budget until those are released). An entry's files are part of its {@link Key}: a file changed on disk
 * is loaded again, and the entry of its old content freed as soon as nothing uses it. Used by one worker at a time.
 */
public final class LoadedWeights implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LoadedWeights.class);
    /** The files whose sizes estimate what weights take in memory. */
    private static final List<String> WEIGHT_SUFFIXES = List.of(".safetensors", ".bin", ".ckpt", ".pt", ".pth");

    /** What the entries are. */
    public enum Kind {
        MODEL, CONTROLNET, UPSCALER
    }

    /**
     * An entry: what it is, by name, and the stamp of what it was loaded from (another stamp is another entry).
     *
     * @param kind  what it is
     * @param name  its name within the kind (a model's name, a ControlNet's path, an upscaler's identity)
     * @param stamp what it was loaded from: its files' sizes and times of change, and any setting that changes it
     */
    public record Key(Kind kind, String name, String stamp) {
    }

    /**
     * The weight files of a model, ControlNet or upscaler on disk: their estimated bytes in memory (their sizes) and a
     * stamp that changes when one of them is replaced.
     */
    public record WeightFiles(long bytes, String stamp) {
    }

    private static final class Entry {
        final Key key;
        final AutoCloseable value;
        final long bytes;
        int users;

        Entry(Key key, AutoCloseable value, long bytes) {
            this.key = key;
            this.value = value;
            this.bytes = bytes;
        }
    }

    /** An entry in use: not freed until closed. */
    public final class Lease<T> implements AutoCloseable {
        private final Entry entry;
        private boolean closed;

        private Lease(Entry entry) {
            this.entry = entry;
        }

        /** The loaded value. */
        @SuppressWarnings("unchecked")
        public T value() {
            return (T) entry.value;
        }

        @Override
        public void close() {
            synchronized (LoadedWeights.this) {
                if (!closed) {
                    closed = true;
                    entry.users--;
                    if (entry.users == 0 && replaced(entry.key)) {
                        LOG.infof("freeing %s %s: its files changed while it was in use", entry.key.kind().name()
                                .toLowerCase(), entry.key.name());
                        free(entry);
                        loaded.remove(entry.key);
                    }
                }
            }
        }
    }

    private final long budgetBytes;
    /** The loaded entries, used longest ago first. */
    private final LinkedHashMap<Key, Entry> loaded = new LinkedHashMap<>(16, 0.75f, true);

    /** @param budgetBytes the most the entries may take together, estimated; above 0 */
    public LoadedWeights(long budgetBytes) {
        if (budgetBytes <= 0) {
            throw new IllegalArgumentException(ModelCache.BUDGET_SETTING + " = " + budgetBytes
                    + ": expected a number of bytes above 0");
        }
        this.budgetBytes = budgetBytes;
    }

    public long budgetBytes() {
        return budgetBytes;
    }

    /**
     * The entry {@code key}, loaded now by {@code loader} if it is not loaded (first freeing the entries used longest
     * ago that are not in use until {@code bytes} more fit the budget), in use until the lease is closed.
     *
     * @param bytes  what the entry takes, estimated
     * @param loader loads it; what it throws is thrown, and nothing is kept
     */
    public synchronized <T extends AutoCloseable> Lease<T> use(Key key, long bytes, Supplier<T> loader) {
        Entry entry = loaded.get(key);
        if (entry == null) {
            dropStale(key);
            makeRoom(key, bytes);
            entry = new Entry(key, loader.get(), bytes);
            loaded.put(key, entry);
        }
        entry.users++;
        return new Lease<>(entry);
    }

    /** The names of the loaded entries of {@code kind}, used longest ago first. */
    public synchronized List<String> names(Kind kind) {
        List<String> names = new ArrayList<>();
        loaded.keySet().stream().filter(key -> key.kind() == kind).forEach(key -> names.add(key.name()));
        return names;
    }

    /** What the loaded entries take together, estimated. */
    public synchronized long bytes() {
        return loaded.values().stream().mapToLong(entry -> entry.bytes).sum();
    }

    /**
     * The bytes and stamp of the weight files of {@code path}: a file, or a folder's files (a diffusers model or
     * ControlNet), links followed.
     *
     * @throws UncheckedIOException when they cannot be read
     */
    public static WeightFiles files(Path path) {
        try (Stream<Path> files = Files.walk(path, FileVisitOption.FOLLOW_LINKS)) {
            long bytes = 0;
            StringBuilder stamp = new StringBuilder();
            for (Path file : files.filter(Files::isRegularFile).sorted().toList()) {
                String name = file.getFileName().toString();
                if (WEIGHT_SUFFIXES.stream().anyMatch(name::endsWith)) {
                    long size = Files.size(file);
                    bytes += size;
                    stamp.append(path.relativize(file)).append(' ').append(size).append('@')
                            .append(Files.getLastModifiedTime(file).toMillis()).append(';');
                }
            }
            return new WeightFiles(bytes, stamp.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the weights in " + path + ": " + e, e);
        }
    }

    /** Frees the entries of {@code key}'s kind and name loaded from other files that nothing uses. */
    private void dropStale(Key key) {
        for (Iterator<Map.Entry<Key, Entry>> it = loaded.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Key, Entry> other = it.next();
            if (other.getKey().kind() == key.kind() && other.getKey().name().equals(key.name())
                    && !other.getKey().equals(key) && other.getValue().users == 0) {
                LOG.infof("freeing %s %s: its files changed", key.kind().name().toLowerCase(), key.name());
                free(other.getValue());
                it.remove();
            }
        }
    }

    /** Whether an entry of {@code key}'s kind and name loaded from other files is loaded beside it. */
    private boolean replaced(Key key) {
        return loaded.keySet().stream().anyMatch(other -> other.kind() == key.kind() && other.name().equals(key.name())
                && !other.equals(key));
    }

    /** Frees the entries used longest ago that are not in use until {@code incoming} more bytes fit the budget. */
    private void makeRoom(Key next, long incoming) {
        long total = bytes();
        for (Iterator<Map.Entry<Key, Entry>> it = loaded.entrySet().iterator();
             it.hasNext() && total + incoming > budgetBytes; ) {
            Map.Entry<Key, Entry> eldest = it.next();
            if (eldest.getValue().users > 0) {
                continue;
            }
            LOG.infof("freeing %s %s (%d bytes estimated) to make room for %s %s (%d) within %s = %d",
                    eldest.getKey().kind().name().toLowerCase(), eldest.getKey().name(), eldest.getValue().bytes,
                    next.kind().name().toLowerCase(), next.name(), incoming, ModelCache.BUDGET_SETTING, budgetBytes);
            free(eldest.getValue());
            it.remove();
            total -= eldest.getValue().bytes;
        }
        if (total + incoming > budgetBytes) {
            LOG.warnf("the weights in use take %d bytes and %s %s needs %d: over %s = %d until they are released", total,
                    next.kind().name().toLowerCase(), next.name(), incoming, ModelCache.BUDGET_SETTING, budgetBytes);
        }
    }

    private static void free(Entry entry) {
        try {
            entry.value.close();
        } catch (Exception e) {
            LOG.warnf("freeing %s failed: %s", entry.value, e);
        }
    }

    /** Frees every entry, in use or not: the worker is done. */
    @Override
    public synchronized void close() {
        loaded.values().forEach(LoadedWeights::free);
        loaded.clear();
    }
}

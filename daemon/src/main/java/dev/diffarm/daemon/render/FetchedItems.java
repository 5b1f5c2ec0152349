package dev.diffarm.daemon.render;

import dev.diffarm.engine.io.FileTrees;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The items this node fetched from the store into its folders (models, LoRAs, embeddings, ControlNets, upscaler
 * models), kept within a size bound by evicting the least recently used item that no worker uses. What a person put
 * in a folder is the node's own: it has no marker, counts toward nothing and is never evicted.
 *
 * <p>Each fetched item {@code <folder>/<file>} has a hidden marker {@code <folder>/.<file>.fetched} holding its size and
 * SHA-256 (hidden: the model, LoRA and embedding listings skip it);
 * the marker's modification time is the item's last use, so the order survives a restart. An item is in use while it is
 * {@linkplain #pin pinned} (a loaded model, the LoRAs of a render in progress), in memory: after a restart nothing is.
 */
final class FetchedItems {
    private static final Logger LOG = Logger.getLogger(FetchedItems.class);
    static final String MARKER_SUFFIX = ".fetched";

    private final long maxBytes;
    private final Clock clock;
    /** How many users each item has, by its path. */
    private final Map<Path, Integer> pins = new HashMap<>();

    /**
     * @param maxBytes the most the fetched items may take together
     * @param clock    the time of a use
     */
    FetchedItems(long maxBytes, Clock clock) {
        if (maxBytes <= 0) {
            throw new IllegalArgumentException(StoreBackedCatalog.MAX_BYTES_SETTING + " = " + maxBytes
                    + ": expected a number of bytes above 0");
        }
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    long maxBytes() {
        return maxBytes;
    }

    /** An item in use: never evicted until closed. */
    interface Pin extends AutoCloseable {
        @Override
        void close();
    }

    /** Marks {@code item} (a file or a folder, fetched or not) as in use until the pin is closed. */
    synchronized Pin pin(Path item) {
        Path key = item.toAbsolutePath().normalize();
        pins.merge(key, 1, Integer::sum);
        return new Pin() {
            private boolean closed;

            @Override
            public void close() {
                synchronized (FetchedItems.this) {
                    if (!closed) {
                        closed = true;
                        pins.computeIfPresent(key, (path, users) -> users == 1 ? null : users - 1);
                    }
                }
            }
        };
    }

    /** Records {@code item} as fetched now, of {@code bytes} bytes with this SHA-256. */
    synchronized void added(Path item, long bytes, String sha256) {
        Path marker = marker(item);
        try {
            Files.writeString(marker, bytes + " " + sha256 + "\n", StandardCharsets.UTF_8);
            Files.setLastModifiedTime(marker, FileTime.from(clock.instant()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the cache marker " + marker + ": " + e, e);
        }
    }

    /** Notes a use of {@code item}, if it is a fetched one. */
    synchronized void used(Path item) {
        Path marker = marker(item);
        try {
            if (Files.isRegularFile(marker)) {
                Files.setLastModifiedTime(marker, FileTime.from(clock.instant()));
            }
        } catch (IOException e) {
            LOG.warnf("cannot note the use of %s in %s: %s", item, marker, e);
        }
    }

    /**
     * Evicts the least recently used fetched items of {@code folders} that are not in use until {@code incoming} more
     * bytes fit the bound.
     *
     * @return the items evicted, oldest first
     */
    synchronized List<Path> makeRoom(List<Path> folders, long incoming) {
        List<Entry> entries = entries(folders);
        long total = entries.stream().mapToLong(Entry::bytes).sum();
        List<Path> evicted = new ArrayList<>();
        for (Entry entry : entries) {
            if (total + incoming <= maxBytes) {
                break;
            }
            if (pins.containsKey(entry.item().toAbsolutePath().normalize())) {
                continue;
            }
            try {
                if (Files.isDirectory(entry.item())) {
                    FileTrees.delete(entry.item());
                } else {
                    Files.deleteIfExists(entry.item());
                }
                Files.deleteIfExists(entry.marker());
            } catch (IOException e) {
                LOG.warnf("cannot evict %s from the cache: %s", entry.item(), e);
                continue;
            }
            total -= entry.bytes();
            evicted.add(entry.item());
            LOG.infof("evicted %s (%d bytes, last used %s) from the store cache to make room for %d bytes",
                    entry.item(), entry.bytes(), entry.lastUse(), incoming);
        }
        if (total + incoming > maxBytes) {
            LOG.warnf("the store cache holds %d bytes in use and needs %d more: over its bound of %d bytes until they are "
                    + "no longer in use", total, incoming, maxBytes);
        }
        return evicted;
    }

    /** The bytes the fetched items of {@code folders} take. */
    synchronized long bytes(List<Path> folders) {
        return entries(folders).stream().mapToLong(Entry::bytes).sum();
    }

    private record Entry(Path item, Path marker, long bytes, FileTime lastUse) {
    }

    /** The fetched items of {@code folders}, least recently used first. */
    private static List<Entry> entries(List<Path> folders) {
        List<Entry> entries = new ArrayList<>();
        for (Path folder : folders) {
            if (!Files.isDirectory(folder)) {
                continue;
            }
            try (Stream<Path> files = Files.list(folder)) {
                for (Path marker : files.filter(FetchedItems::isMarker).toList()) {
                    String name = marker.getFileName().toString();
                    Path item = folder.resolve(name.substring(1, name.length() - MARKER_SUFFIX.length()));
                    entries.add(new Entry(item, marker, size(marker), Files.getLastModifiedTime(marker)));
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the store cache in " + folder + ": " + e, e);
            }
        }
        entries.sort(Comparator.comparing(Entry::lastUse).thenComparing(Entry::item));
        return entries;
    }

    /** The size a marker records; an unreadable one counts as nothing (and is evicted first among equals). */
    private static long size(Path marker) {
        try {
            return Long.parseLong(Files.readString(marker, StandardCharsets.UTF_8).strip().split(" ")[0]);
        } catch (IOException | NumberFormatException e) {
            LOG.warnf("unreadable cache marker %s: %s", marker, e);
            return 0;
        }
    }

    /** Whether {@code item} (a file or folder of a node's folder) was fetched from the store: its marker is beside it. */
    static boolean isFetched(Path item) {
        return Files.isRegularFile(marker(item));
    }

    private static Path marker(Path item) {
        return item.resolveSibling("." + item.getFileName() + MARKER_SUFFIX);
    }

    private static boolean isMarker(Path file) {
        String name = file.getFileName().toString();
        return name.startsWith(".") && name.endsWith(MARKER_SUFFIX) && name.length() > 1 + MARKER_SUFFIX.length()
                && Files.isRegularFile(file);
    }
}

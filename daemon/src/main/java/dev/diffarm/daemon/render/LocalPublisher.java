package dev.diffarm.daemon.render;

import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * Makes the node's own models, LoRAs, embeddings, upscalers and ControlNets farm-wide ({@value #SETTING}): each item of its
 * {@linkplain PublishedFolder folders} that the shared store lacks is uploaded under the folder's prefix with its
 * SHA-256 (as the object's {@code sha256} metadata, and as a {@code <key>.sha256} object where the store keeps no
 * metadata), so that any node of the group accepts, fetches and renders a job that names it. Without this a job naming
 * a model only one daemon's folder holds was rejected, and acknowledged, by whichever other daemon consumed it.
 *
 * <ul>
 *   <li>It runs on a thread of its own, at start and whenever a folder's listing changes (a cheap look every
 *       {@code interval}; a full pass every {@link #FULL_PASS} besides, for items removed from the store meanwhile),
 *       and only while the store works: the node renders what it has meanwhile.</li>
 *   <li>A diffusers folder is uploaded file by file with its index file ({@code model_index.json} for a model,
 *       {@code config.json} for a ControlNet) last: the store's catalog counts a folder by that file, so no node sees a
 *       half-uploaded one. An interrupted upload
 *       resumes: files the store already holds with the same SHA-256 are not sent again.</li>
 *   <li>A name the store already holds with other content is never overwritten: it is a {@linkplain #conflicts()
 *       conflict}, logged once and listed in {@code GET /models}. The store's digest is its recorded one; an object an
 *       S3 client put there without one ({@code s3cmd sync}) is read once to compute it, and the digest recorded.</li>
 *   <li>What the node fetched from the store is the store's already, and is skipped.</li>
 * </ul>
 */
public final class LocalPublisher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LocalPublisher.class);
    /** The setting that turns publishing off on a node that must not upload. */
    public static final String SETTING = "DIFFARM_PUBLISH_LOCAL";
    /** How often everything is checked even when no listing changed. */
    static final Duration FULL_PASS = Duration.ofMinutes(10);
    private static final String CONTENT_TYPE = "application/octet-stream";

    private final OutputStore store;
    private final StoredDigests digests;
    private final List<PublishedFolder> folders;
    private final BooleanSupplier canStore;
    private final Duration interval;
    private final ScheduledExecutorService timer;
    /** The digests of the node's files, computed once per size and time of change. This thread's only. */
    private final Map<Path, LocalDigest> localDigests = new HashMap<>();
    private final Map<String, Conflict> conflicts = new ConcurrentSkipListMap<>();
    /** The listings of the last pass that completed; empty before. */
    private volatile Optional<String> published = Optional.empty();
    private volatile long lastFullPass;

    /**
     * A conflict: an item of the node whose name the store holds with other content.
     *
     * @param key    the item's key in the store ({@code models/sd15.safetensors}, {@code models/sd15/})
     * @param path   the node's item
     * @param reason how they differ: the two SHA-256 digests, or the files that differ
     */
    public record Conflict(String key, String path, String reason) {
    }

    private record LocalDigest(long size, long modified, String sha256) {
    }

    /**
     * @param store    the store the farm's nodes share
     * @param folders  the node's folders and their prefixes
     * @param canStore whether the store works now ({@code StoreWatch#isAvailable})
     * @param interval how often the folders' listings are looked at
     */
    public LocalPublisher(OutputStore store, List<PublishedFolder> folders, BooleanSupplier canStore, Duration interval) {
        this.store = store;
        this.digests = new StoredDigests(store);
        this.folders = List.copyOf(folders);
        this.canStore = canStore;
        this.interval = interval;
        this.timer = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "diffarm-publisher");
            thread.setDaemon(true);
            return thread;
        });
    }

    /** Publishes now, on its own thread, and then whenever a listing changes. */
    public void start() {
        LOG.infof("publishing this node's own items of %s to %s", folders.stream().map(folder -> folder.dir() + " as "
                + folder.prefix()).toList(), store.location());
        timer.scheduleWithFixedDelay(this::tick, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** The node's items whose names the store holds with other content, by key. */
    public List<Conflict> conflicts() {
        return List.copyOf(conflicts.values());
    }

    private void tick() {
        try {
            if (!canStore.getAsBoolean()) {
                return;
            }
            String listing = listings();
            boolean full = System.nanoTime() - lastFullPass >= FULL_PASS.toNanos();
            if (full || !published.equals(Optional.of(listing))) {
                publishAll();
            }
        } catch (RuntimeException e) {
            // A scheduled task that throws is never run again: the next look tries again.
            LOG.warnf("publishing this node's items to %s failed; trying again in %d s: %s", store.location(),
                    interval.toSeconds(), e.getMessage());
        }
    }

    /**
     * Publishes every item of the node's folders the store lacks, now, on the caller's thread.
     *
     * @return the keys uploaded now
     * @throws StoreException when the store fails (what was uploaded stays; the next pass goes on from there)
     */
    public synchronized List<String> publishAll() {
        String listing = listings();
        List<String> uploaded = new ArrayList<>();
        TreeSet<String> seen = new TreeSet<>();
        for (PublishedFolder folder : folders) {
            for (PublishedFolder.Item item : folder.items()) {
                seen.add(item.key());
                try {
                    if (item.isFolder() ? publishFolder(item) : publishFile(item)) {
                        uploaded.add(item.key());
                    }
                } catch (IOException e) {
                    // The node's file went away or cannot be read: not the store's fault; the others go on.
                    LOG.warnf("cannot publish %s: %s", item.path(), e);
                }
            }
        }
        conflicts.keySet().retainAll(seen);
        published = Optional.of(listing);
        lastFullPass = System.nanoTime();
        return uploaded;
    }

    private String listings() {
        StringBuilder all = new StringBuilder();
        folders.forEach(folder -> all.append(folder.listing()));
        return all.toString();
    }

    /** A single file: uploaded unless the store has its key; whether it was uploaded. */
    private boolean publishFile(PublishedFolder.Item item) throws IOException {
        String key = item.key();
        String local = localDigest(item.path());
        if (store.exists(key)) {
            Optional<String> stored = digests.recordedOrComputed(key);
            if (stored.isPresent() && !stored.get().equals(local)) {
                conflict(item, "this node's SHA-256 is " + local + ", the store's " + stored.get());
            } else {
                resolved(item);
            }
            return false;
        }
        Optional<String> folderIndex = item.folder().folderIndex()
                .map(index -> item.folder().prefix() + item.name() + "/" + index);
        if (folderIndex.isPresent() && store.exists(folderIndex.get())) {
            conflict(item, "the store holds a folder of that name, " + item.folder().prefix() + item.name() + "/");
            return false;
        }
        upload(key, item.path(), local);
        LOG.infof("published %s (%d bytes, SHA-256 %s) as %s in %s", item.path(), Files.size(item.path()), local, key,
                store.location());
        return true;
    }

    /**
     * A folder (a diffusers model or ControlNet): when the store has one of that name, compared file by file; else
     * uploaded with its index file ({@code model_index.json}, {@code config.json}) last. Whether it was uploaded.
     */
    private boolean publishFolder(PublishedFolder.Item item) throws IOException {
        String prefix = item.key();
        String index = item.folder().folderIndex().orElseThrow();
        Map<String, Path> files = filesOf(item.path());
        if (store.exists(prefix + index)) {
            differences(prefix, files).ifPresentOrElse(reason -> conflict(item, reason), () -> resolved(item));
            return false;
        }
        String single = item.folder().prefix() + item.name() + item.folder().suffixes().get(0);
        if (store.exists(single)) {
            conflict(item, "the store holds a single file of that name, " + single);
            return false;
        }
        long start = System.nanoTime();
        long bytes = 0;
        List<String> order = new ArrayList<>(files.keySet());
        order.remove(index);
        order.add(index);
        for (String relative : order) {
            Path file = files.get(relative);
            String local = localDigest(file);
            bytes += Files.size(file);
            if (store.exists(prefix + relative) && digests.recorded(prefix + relative).equals(Optional.of(local))) {
                continue;
            }
            upload(prefix + relative, file, local);
        }
        LOG.infof("published %s (%d files, %d bytes) as %s in %s in %.1f s", item.path(), files.size(), bytes, prefix,
                store.location(), (System.nanoTime() - start) / 1e9);
        return true;
    }

    /** How the store's folder under {@code prefix} differs from the node's {@code files}; empty when it does not. */
    private Optional<String> differences(String prefix, Map<String, Path> files) throws IOException {
        TreeSet<String> stored = new TreeSet<>();
        for (String key : store.list(prefix)) {
            if (!StoredDigests.isDigestKey(key)) {
                stored.add(key.substring(prefix.length()));
            }
        }
        if (!stored.equals(files.keySet())) {
            TreeSet<String> onlyStored = new TreeSet<>(stored);
            onlyStored.removeAll(files.keySet());
            TreeSet<String> onlyHere = new TreeSet<>(files.keySet());
            onlyHere.removeAll(stored);
            return Optional.of("the files differ: only in the store " + onlyStored + ", only on this node " + onlyHere);
        }
        for (Map.Entry<String, Path> file : files.entrySet()) {
            String local = localDigest(file.getValue());
            Optional<String> remote = digests.recordedOrComputed(prefix + file.getKey());
            if (remote.isPresent() && !remote.get().equals(local)) {
                return Optional.of(file.getKey() + ": this node's SHA-256 is " + local + ", the store's " + remote.get());
            }
        }
        return Optional.empty();
    }

    private void upload(String key, Path file, String sha256) {
        store.put(key, file, ObjectMetadata.withSha256(CONTENT_TYPE, sha256));
        if (store.recordedSha256(key).isEmpty()) {
            digests.record(key, sha256);
        }
    }

    private void conflict(PublishedFolder.Item item, String reason) {
        Conflict conflict = new Conflict(item.key(), item.path().toString(), reason);
        if (!conflict.equals(conflicts.put(item.key(), conflict))) {
            LOG.warnf("%s is not published: the store %s holds %s with other content (%s); a job naming %s renders "
                    + "this node's on this node and the store's elsewhere until one is renamed", item.path(),
                    store.location(), item.key(), reason, item.name());
        }
    }

    private void resolved(PublishedFolder.Item item) {
        if (conflicts.remove(item.key()) != null) {
            LOG.infof("%s and the store's %s agree now", item.path(), item.key());
        }
    }

    /** The files of a diffusers folder by their path inside it ({@code unet/config.json}), links followed, hidden skipped. */
    private static Map<String, Path> filesOf(Path folder) throws IOException {
        Map<String, Path> files = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(folder, FileVisitOption.FOLLOW_LINKS)) {
            for (Path file : walk.filter(Files::isRegularFile).toList()) {
                Path relative = folder.relativize(file);
                boolean hidden = false;
                for (Path part : relative) {
                    hidden |= part.toString().startsWith(".");
                }
                if (!hidden) {
                    files.put(relative.toString().replace('\\', '/'), file);
                }
            }
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
        return files;
    }

    /** The SHA-256 of a file of the node's, computed again only when its size or time of change differs. */
    private String localDigest(Path file) throws IOException {
        long size = Files.size(file);
        long modified = Files.getLastModifiedTime(file).toMillis();
        LocalDigest known = localDigests.get(file);
        if (known != null && known.size() == size && known.modified() == modified) {
            return known.sha256();
        }
        String sha256 = StoredDigests.of(file);
        localDigests.put(file, new LocalDigest(size, modified, sha256));
        return sha256;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}

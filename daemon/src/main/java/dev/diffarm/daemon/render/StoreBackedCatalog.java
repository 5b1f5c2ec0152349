package dev.diffarm.daemon.render;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.engine.io.FileTrees;
import dev.diffarm.engine.prompt.ExtraNetworkTags;
import dev.diffarm.engine.prompt.LoraTag;
import dev.diffarm.farm.config.ControlNetUnit;
import dev.diffarm.farm.config.HiresSettings;
import dev.diffarm.farm.config.Lora;
import dev.diffarm.farm.config.TaskParameters;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The farm-wide catalog: the models, LoRAs, embeddings, ControlNets and upscaler models that any node put in the shared
 * store (a merge's {@code models/<name>.safetensors}, a training's {@code loras/<name>.safetensors}, a node's published
 * {@code controlnet/<name>/} or {@code upscalers/<name>.pth}, or anything an S3 client put there, a diffusers folder
 * {@code models/<name>/} too), so that a name one node made renders on every node. A name
 * the node's own folder lacks is looked up in the store and downloaded into that folder once (the folders are the
 * node's cache of the store), where the renderer and the model loader find it as if it had always been there.
 *
 * <p>The cache ({@link FetchedItems}) is bounded ({@value #MAX_BYTES_SETTING}): to make room for a new item the least
 * recently used fetched items that are not {@linkplain #use in use} are deleted; what a person put in the folders is
 * never. Every object fetched is written to a hidden temporary file while its SHA-256 is computed, checked against the
 * SHA-256 the store records for it (the object's {@code sha256} metadata, else a {@code <key>.sha256} object beside
 * it), and renamed into place only when they agree; where the store records none, the farm records the one it
 * computed as {@code <key>.sha256}, so that every later fetch is verified.
 */
public final class StoreBackedCatalog {
    private static final Logger LOG = Logger.getLogger(StoreBackedCatalog.class);
    private static final String SUFFIX = ".safetensors";
    private static final String DIFFUSERS_INDEX = "model_index.json";
    /** The suffix of the object that records another's SHA-256, where the store keeps no metadata. */
    static final String SHA256_SUFFIX = StoredDigests.SUFFIX;
    /** The setting of the cache's bound. */
    public static final String MAX_BYTES_SETTING = "DIFFARM_CACHE_MAX_BYTES";
    /** 100 GiB: some twenty SDXL checkpoints, or fifty SD 1.5 ones, with their LoRAs. */
    public static final long DEFAULT_MAX_BYTES = 100L << 30;
    /** A name that stays one file name in one folder: no separators, no leading dot. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]*");

    /**
     * What the store holds, each under its own prefix, and the node folder it is cached in: an item is a single file
     * {@code <prefix><name><suffix>} with one of the kind's suffixes (looked up in their order), or, for the kinds that
     * have a folder form, a folder {@code <prefix><name>/} that holds the kind's index file.
     */
    public enum Kind {
        MODEL("models/", List.of(SUFFIX), Optional.of(DIFFUSERS_INDEX)),
        LORA("loras/", List.of(SUFFIX), Optional.empty()),
        EMBEDDING("embeddings/", List.of(SUFFIX), Optional.empty()),
        /** A ControlNet: a single file in the original layout, or a diffusers folder with its {@code config.json}. */
        CONTROLNET("controlnet/", List.of(SUFFIX), Optional.of(ControlNetDirectory.DIFFUSERS_CONFIG)),
        /** An upscaler model (ESRGAN and the like): {@code .safetensors} or {@code .pth}. */
        UPSCALER("upscalers/", UpscalerDirectory.SUFFIXES, Optional.empty());

        private final String prefix;
        private final List<String> suffixes;
        private final Optional<String> folderIndex;

        Kind(String prefix, List<String> suffixes, Optional<String> folderIndex) {
            this.prefix = prefix;
            this.suffixes = suffixes;
            this.folderIndex = folderIndex;
        }

        /** The key of a single-file entry called {@code name} in the kind's first form. */
        public String key(String name) {
            return prefix + name + suffixes.get(0);
        }

        /** Where the kind's items lie in the store, ending in {@code /}. */
        public String prefix() {
            return prefix;
        }

        private String folderKey(String name) {
            return prefix + name + "/";
        }
    }

    /**
     * The node's folders the store's items are cached in, one per {@link Kind}; a kind without one is listed and known
     * from the store but never fetched.
     */
    public record Folders(Path models, Path loras, Path embeddings, Optional<Path> controlNets,
                          Optional<Path> upscalers) {
        public Folders {
            java.util.Objects.requireNonNull(models, "models");
            java.util.Objects.requireNonNull(loras, "loras");
            java.util.Objects.requireNonNull(embeddings, "embeddings");
            java.util.Objects.requireNonNull(controlNets, "controlNets");
            java.util.Objects.requireNonNull(upscalers, "upscalers");
        }

        /** Every folder of every kind: {@code DIFFARM_MODELS_DIR}, {@code _LORA_DIR}, {@code _EMBEDDINGS_DIR}, ... */
        public static Folders of(Path models, Path loras, Path embeddings, Path controlNets, Path upscalers) {
            return new Folders(models, loras, embeddings, Optional.of(controlNets), Optional.of(upscalers));
        }

        Optional<Path> folder(Kind kind) {
            return switch (kind) {
                case MODEL -> Optional.of(models);
                case LORA -> Optional.of(loras);
                case EMBEDDING -> Optional.of(embeddings);
                case CONTROLNET -> controlNets;
                case UPSCALER -> upscalers;
            };
        }

        List<Path> all() {
            List<Path> all = new ArrayList<>(List.of(models, loras, embeddings));
            controlNets.ifPresent(all::add);
            upscalers.ifPresent(all::add);
            return all;
        }
    }

    private final OutputStore store;
    private final Folders folders;
    private final FetchedItems fetched;
    private final StoredDigests digests;

    /** A catalog of models, LoRAs and embeddings whose cache holds up to {@link #DEFAULT_MAX_BYTES}. */
    public StoreBackedCatalog(OutputStore store, Path modelsDir, Path loraDir, Path embeddingsDir) {
        this(store, modelsDir, loraDir, embeddingsDir, DEFAULT_MAX_BYTES, Clock.systemUTC());
    }

    /** A catalog of models, LoRAs and embeddings (ControlNets and upscalers listed from the store, never fetched). */
    public StoreBackedCatalog(OutputStore store, Path modelsDir, Path loraDir, Path embeddingsDir, long maxBytes,
                              Clock clock) {
        this(store, new Folders(modelsDir, loraDir, embeddingsDir, Optional.empty(), Optional.empty()), maxBytes, clock);
    }

    /**
     * @param store    the store every node of the farm shares
     * @param folders  the node's folders ({@code DIFFARM_MODELS_DIR}, {@code DIFFARM_LORA_DIR}, ...)
     * @param maxBytes the most the items fetched into those folders may take together
     * @param clock    the time of each use, which orders evictions
     */
    public StoreBackedCatalog(OutputStore store, Folders folders, long maxBytes, Clock clock) {
        this.store = store;
        this.folders = folders;
        this.fetched = new FetchedItems(maxBytes, clock);
        this.digests = new StoredDigests(store);
    }

    /** Something in use: not evicted from the cache until closed. */
    public interface InUse extends AutoCloseable {
        /** Nothing in use. */
        InUse NOTHING = () -> { };

        @Override
        void close();
    }

    /**
     * Marks {@code name} of {@code kind} as in use until the result is closed, which notes the use (the fetched item
     * used longest ago is evicted first). Works before the item is fetched, so that a fetch and the use that follows are
     * one.
     */
    public InUse use(Kind kind, String name) {
        if (!NAME.matcher(name).matches()) {
            return InUse.NOTHING;
        }
        List<Path> items = folders.folder(kind).map(dir -> forms(kind, dir, name)).orElse(List.of());
        List<FetchedItems.Pin> pins = items.stream().map(fetched::pin).toList();
        return () -> {
            items.forEach(fetched::used);
            pins.forEach(FetchedItems.Pin::close);
        };
    }

    /** Every form {@code name} of {@code kind} can take in {@code dir}: each single file, then the folder. */
    private static List<Path> forms(Kind kind, Path dir, String name) {
        List<Path> forms = new ArrayList<>();
        kind.suffixes.forEach(suffix -> forms.add(dir.resolve(name + suffix)));
        forms.add(dir.resolve(name));
        return forms;
    }

    /** Whether {@code name} can be an item of the store: one file name in one folder, no separators, no leading dot. */
    static boolean isName(String name) {
        return NAME.matcher(name).matches();
    }

    /** The bytes the items fetched from the store take in the node's folders now. */
    public long cachedBytes() {
        return fetched.bytes(folders.all());
    }

    /** The names of {@code kind} in the store, sorted (single files, and folders for the kinds that have them). */
    public List<String> names(Kind kind) {
        Set<String> names = new LinkedHashSet<>();
        for (String key : store.list(kind.prefix)) {
            String rest = key.substring(kind.prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                kind.suffixes.stream().filter(rest::endsWith).findFirst()
                        .ifPresent(suffix -> names.add(rest.substring(0, rest.length() - suffix.length())));
            } else if (kind.folderIndex.isPresent() && rest.equals(rest.substring(0, slash) + "/" + kind.folderIndex.get())) {
                names.add(rest.substring(0, slash));
            }
        }
        return names.stream().filter(name -> NAME.matcher(name).matches()).sorted().toList();
    }

    /** Whether the store holds {@code name} of {@code kind}, in any of the kind's forms. */
    public boolean has(Kind kind, String name) {
        if (!NAME.matcher(name).matches()) {
            return false;
        }
        return kind.suffixes.stream().anyMatch(suffix -> store.exists(kind.prefix + name + suffix))
                || kind.folderIndex.map(index -> store.exists(kind.folderKey(name) + index)).orElse(false);
    }

    /**
     * Makes sure the node's folder holds {@code name} of {@code kind}: when it does not and the store does, downloads
     * it (a file atomically; a diffusers folder into a hidden folder renamed when complete).
     *
     * @return whether it was downloaded now
     * @throws StoreException when the store fails halfway
     */
    public synchronized boolean fetch(Kind kind, String name) {
        if (!NAME.matcher(name).matches() || folders.folder(kind).isEmpty()) {
            return false;
        }
        Path dir = folders.folder(kind).get();
        if (isLocal(kind, dir, name)) {
            forms(kind, dir, name).forEach(fetched::used);
            return false;
        }
        try {
            Files.createDirectories(dir);
            long start = System.nanoTime();
            boolean done = downloadFile(kind, dir, name) || downloadFolder(kind, dir, name);
            if (done) {
                LOG.infof("fetched %s %s from the store %s in %.1f s", kind.name().toLowerCase(), name, store.location(),
                        (System.nanoTime() - start) / 1e9);
            }
            return done;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cache " + kind.key(name) + " in " + dir + ": " + e, e);
        }
    }

    /**
     * Fetches what a render task names that the node lacks: its LoRAs (the task's and the prompt's
     * {@code <lora:NAME:W>} tags), the store's embeddings that its prompt or negative prompt mention, its ControlNet
     * units' models and its hires pass's upscaler model. (Its model the {@link ModelCache} fetches, for every job kind.)
     *
     * @return them in use, until the render closes it
     */
    public InUse fetchFor(TaskParameters task) {
        List<InUse> inUse = new ArrayList<>();
        try {
            for (Lora lora : task.settings().loras()) {
                inUse.add(fetchInUse(Kind.LORA, lora.name()));
            }
            for (LoraTag tag : ExtraNetworkTags.extract(task.prompt()).loras()) {
                inUse.add(fetchInUse(Kind.LORA, tag.name()));
            }
            for (ControlNetUnit unit : task.settings().modes().controlNets()) {
                inUse.add(fetchInUse(Kind.CONTROLNET, unit.model()));
            }
            for (HiresSettings hires : task.settings().modes().hires().stream().toList()) {
                // A latent mode's or a resampler's name is no file of the store: nothing is fetched for it.
                inUse.add(fetchInUse(Kind.UPSCALER, hires.upscaler()));
            }
            String texts = task.prompt() + "\n" + task.settings().negativePrompt();
            for (String embedding : names(Kind.EMBEDDING)) {
                if (Pattern.compile("(?<![\\w-])" + Pattern.quote(embedding) + "(?![\\w-])").matcher(texts).find()) {
                    inUse.add(fetchInUse(Kind.EMBEDDING, embedding));
                }
            }
        } catch (RuntimeException e) {
            inUse.forEach(InUse::close);
            throw e;
        }
        return () -> inUse.forEach(InUse::close);
    }

    /** Marks {@code name} in use, then fetches it if the node lacks it. */
    private InUse fetchInUse(Kind kind, String name) {
        InUse used = use(kind, name);
        try {
            fetch(kind, name);
            return used;
        } catch (RuntimeException e) {
            used.close();
            throw e;
        }
    }

    private static boolean isLocal(Kind kind, Path dir, String name) {
        return kind.suffixes.stream().anyMatch(suffix -> Files.isRegularFile(dir.resolve(name + suffix)))
                || kind.folderIndex.map(index -> Files.isRegularFile(dir.resolve(name).resolve(index))).orElse(false);
    }

    /**
     * A single file {@code <prefix><name><suffix>} (the kind's suffixes in order), verified, making room for it; whether
     * the store has it.
     */
    private boolean downloadFile(Kind kind, Path dir, String name) throws IOException {
        for (String suffix : kind.suffixes) {
            Path target = dir.resolve(name + suffix);
            Path partial = Files.createTempFile(dir, "." + name + "-", ".partial");
            try {
                Optional<String> sha256 = downloadVerified(kind.prefix + name + suffix, partial,
                        kind.name().toLowerCase() + " " + name);
                if (sha256.isEmpty()) {
                    continue;
                }
                long bytes = Files.size(partial);
                fetched.makeRoom(folders.all(), bytes);
                Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
                fetched.added(target, bytes, sha256.get());
                return true;
            } finally {
                Files.deleteIfExists(partial);
            }
        }
        return false;
    }

    /**
     * A folder {@code <prefix><name>/} of a kind that has one (a diffusers model or ControlNet): every object under it
     * verified, then room made, then one rename; whether the store has it (its index file).
     */
    private boolean downloadFolder(Kind kind, Path dir, String name) throws IOException {
        if (kind.folderIndex.isEmpty()) {
            return false;
        }
        String prefix = kind.folderKey(name);
        List<String> keys = store.list(prefix).stream().filter(key -> !StoredDigests.isDigestKey(key)).toList();
        if (!keys.contains(prefix + kind.folderIndex.get())) {
            return false;
        }
        String item = kind.name().toLowerCase() + " " + name;
        Path partial = Files.createTempDirectory(dir, "." + name + "-");
        try {
            MessageDigest whole = StoredDigests.sha256();
            long bytes = 0;
            for (String key : keys) {
                Path target = partial.resolve(key.substring(prefix.length())).normalize();
                if (!target.startsWith(partial)) {
                    throw new StoreException("store key " + key + " leaves the " + item + "'s folder", null);
                }
                Files.createDirectories(target.getParent());
                String fileSha256 = downloadVerified(key, target, item).orElseThrow(() -> new StoreException(
                        key + " vanished from " + store.location() + " while " + item + " was fetched", null));
                whole.update((key.substring(prefix.length()) + " " + fileSha256 + "\n").getBytes(StandardCharsets.UTF_8));
                bytes += Files.size(target);
            }
            fetched.makeRoom(folders.all(), bytes);
            Path target = dir.resolve(name);
            Files.move(partial, target, StandardCopyOption.ATOMIC_MOVE);
            fetched.added(target, bytes, HexFormat.of().formatHex(whole.digest()));
            return true;
        } finally {
            FileTrees.delete(partial);
        }
    }

    /**
     * Streams {@code key} into {@code target}, computing its SHA-256, and checks it against the one the store records.
     *
     * @param item what is being fetched, for the message: {@code model sd15}
     * @return the SHA-256; empty when the store has no such object
     * @throws StoreException naming the item, the key and both hashes when they differ ({@code target} is deleted)
     */
    private Optional<String> downloadVerified(String key, Path target, String item) throws IOException {
        Optional<InputStream> object = store.open(key);
        if (object.isEmpty()) {
            return Optional.empty();
        }
        MessageDigest digest = StoredDigests.sha256();
        try (InputStream content = new DigestInputStream(object.get(), digest);
             FileChannel file = FileChannel.open(target, StandardOpenOption.WRITE, StandardOpenOption.CREATE,
                     StandardOpenOption.TRUNCATE_EXISTING)) {
            content.transferTo(Channels.newOutputStream(file));
            file.force(true);
        } catch (IOException e) {
            Files.deleteIfExists(target);
            throw new StoreException("cannot download " + key + " from " + store.location() + " (" + item + "): " + e, e);
        }
        String actual = HexFormat.of().formatHex(digest.digest());
        Optional<String> recorded = digests.recorded(key);
        if (recorded.isPresent() && !recorded.get().equals(actual)) {
            Files.deleteIfExists(target);
            throw new StoreException(item + ": the download of " + key + " from " + store.location() + " has SHA-256 "
                    + actual + ", but the store records " + recorded.get() + "; the download was refused and deleted",
                    null);
        }
        if (recorded.isEmpty()) {
            digests.record(key, actual);
        }
        return Optional.of(actual);
    }
}

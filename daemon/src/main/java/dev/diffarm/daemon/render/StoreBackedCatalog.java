package dev.diffarm.daemon.render;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.engine.io.FileTrees;
import dev.diffarm.engine.prompt.ExtraNetworkTags;
import dev.diffarm.engine.prompt.LoraTag;
import dev.diffarm.farm.config.Lora;
import dev.diffarm.farm.config.TaskParameters;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * The farm-wide catalog: the models, LoRAs and embeddings that any node put in the shared store (a merge's
 * {@code models/<name>.safetensors}, a training's {@code loras/<name>.safetensors}, or anything an S3 client put
 * there, a diffusers folder {@code models/<name>/} too), so that a name one node made renders on every node. A name
 * the node's own folder lacks is looked up in the store and downloaded into that folder once (the folders are the
 * node's cache of the store), where the renderer and the model loader find it as if it had always been there.
 */
public final class StoreBackedCatalog {
    private static final Logger LOG = Logger.getLogger(StoreBackedCatalog.class);
    private static final String SUFFIX = ".safetensors";
    private static final String DIFFUSERS_INDEX = "model_index.json";
    /** A name that stays one file name in one folder: no separators, no leading dot. */
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9_.+-]*");

    /** What the store holds, each under its own prefix, and the node folder it is cached in. */
    public enum Kind {
        MODEL("models/"), LORA("loras/"), EMBEDDING("embeddings/");

        private final String prefix;

        Kind(String prefix) {
            this.prefix = prefix;
        }

        /** The key of a single-file entry called {@code name}. */
        public String key(String name) {
            return prefix + name + SUFFIX;
        }
    }

    private final OutputStore store;
    private final Path modelsDir;
    private final Path loraDir;
    private final Path embeddingsDir;

    /**
     * @param store         the store every node of the farm shares
     * @param modelsDir     the node's models folder ({@code DIFFARM_MODELS_DIR})
     * @param loraDir       the node's LoRA folder ({@code DIFFARM_LORA_DIR})
     * @param embeddingsDir the node's embeddings folder ({@code DIFFARM_EMBEDDINGS_DIR})
     */
    public StoreBackedCatalog(OutputStore store, Path modelsDir, Path loraDir, Path embeddingsDir) {
        this.store = store;
        this.modelsDir = modelsDir;
        this.loraDir = loraDir;
        this.embeddingsDir = embeddingsDir;
    }

    /** The names of {@code kind} in the store, sorted (models: single files and diffusers folders). */
    public List<String> names(Kind kind) {
        Set<String> names = new LinkedHashSet<>();
        for (String key : store.list(kind.prefix)) {
            String rest = key.substring(kind.prefix.length());
            if (!rest.contains("/") && rest.endsWith(SUFFIX)) {
                names.add(rest.substring(0, rest.length() - SUFFIX.length()));
            } else if (kind == Kind.MODEL && rest.endsWith("/" + DIFFUSERS_INDEX)
                    && rest.indexOf('/') == rest.length() - DIFFUSERS_INDEX.length() - 1) {
                names.add(rest.substring(0, rest.indexOf('/')));
            }
        }
        return names.stream().filter(name -> NAME.matcher(name).matches()).sorted().toList();
    }

    /** Whether the store holds {@code name} of {@code kind}. */
    public boolean has(Kind kind, String name) {
        if (!NAME.matcher(name).matches()) {
            return false;
        }
        return store.exists(kind.key(name)) || (kind == Kind.MODEL && store.exists(folderKey(name) + DIFFUSERS_INDEX));
    }

    /**
     * Makes sure the node's folder holds {@code name} of {@code kind}: when it does not and the store does, downloads
     * it (a file atomically; a diffusers folder into a hidden folder renamed when complete).
     *
     * @return whether it was downloaded now
     * @throws StoreException when the store fails halfway
     */
    public synchronized boolean fetch(Kind kind, String name) {
        if (!NAME.matcher(name).matches() || isLocal(kind, name)) {
            return false;
        }
        Path dir = folder(kind);
        try {
            Files.createDirectories(dir);
            long start = System.nanoTime();
            boolean fetched = store.download(kind.key(name), dir.resolve(name + SUFFIX))
                    || (kind == Kind.MODEL && downloadFolder(name));
            if (fetched) {
                LOG.infof("fetched %s %s from the store %s in %.1f s", kind.name().toLowerCase(), name, store.location(),
                        (System.nanoTime() - start) / 1e9);
            }
            return fetched;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot cache " + kind.key(name) + " in " + dir + ": " + e, e);
        }
    }

    /**
     * Fetches what a render task names that the node lacks: its LoRAs (the task's and the prompt's
     * {@code <lora:NAME:W>} tags) and the store's embeddings that its prompt or negative prompt mention. (Its model
     * the {@link ModelCache} fetches, for every job kind.)
     */
    public void fetchFor(TaskParameters task) {
        for (Lora lora : task.settings().loras()) {
            fetch(Kind.LORA, lora.name());
        }
        for (LoraTag tag : ExtraNetworkTags.extract(task.prompt()).loras()) {
            fetch(Kind.LORA, tag.name());
        }
        String texts = task.prompt() + "\n" + task.settings().negativePrompt();
        for (String embedding : names(Kind.EMBEDDING)) {
            if (Pattern.compile("(?<![\\w-])" + Pattern.quote(embedding) + "(?![\\w-])").matcher(texts).find()) {
                fetch(Kind.EMBEDDING, embedding);
            }
        }
    }

    private boolean isLocal(Kind kind, String name) {
        Path dir = folder(kind);
        return Files.isRegularFile(dir.resolve(name + SUFFIX))
                || (kind == Kind.MODEL && Files.isRegularFile(dir.resolve(name).resolve(DIFFUSERS_INDEX)));
    }

    private Path folder(Kind kind) {
        return switch (kind) {
            case MODEL -> modelsDir;
            case LORA -> loraDir;
            case EMBEDDING -> embeddingsDir;
        };
    }

    private static String folderKey(String name) {
        return Kind.MODEL.prefix + name + "/";
    }

    /** A diffusers folder {@code models/<name>/}: every object under it, then one rename. */
    private boolean downloadFolder(String name) throws IOException {
        String prefix = folderKey(name);
        List<String> keys = store.list(prefix);
        if (!keys.contains(prefix + DIFFUSERS_INDEX)) {
            return false;
        }
        Path partial = Files.createTempDirectory(modelsDir, "." + name + "-");
        try {
            for (String key : keys) {
                Path target = partial.resolve(key.substring(prefix.length())).normalize();
                if (!target.startsWith(partial)) {
                    throw new StoreException("store key " + key + " leaves the model's folder", null);
                }
                Files.createDirectories(target.getParent());
                store.download(key, target);
            }
            Files.move(partial, modelsDir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
            return true;
        } finally {
            FileTrees.delete(partial);
        }
    }
}

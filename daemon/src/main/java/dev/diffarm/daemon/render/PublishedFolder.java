package dev.diffarm.daemon.render;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * One of the node's own folders whose items the {@link LocalPublisher} makes farm-wide, and the store prefix they go
 * under: the models folder as {@code models/} (single {@code .safetensors} files and diffusers folders), the LoRA
 * folder as {@code loras/}, the ControlNet folder as {@code controlnet/} (files and diffusers folders), and so on. An
 * item is a file with one of {@code suffixes} directly in the folder, or (where the folder has a {@code folderIndex}) a
 * folder holding that index file ({@code model_index.json} for a model, {@code config.json} for a ControlNet); hidden
 * entries and the items this node fetched from the store (they are the store's already) are not the node's own.
 *
 * @param prefix           where its items go in the store, ending in {@code /}
 * @param dir              the node's folder
 * @param suffixes         the file forms of an item, such as {@code .safetensors}
 * @param folderIndex      the file that makes a folder an item, uploaded last; empty where only files are items
 */
public record PublishedFolder(String prefix, Path dir, List<String> suffixes, Optional<String> folderIndex) {
    static final String DIFFUSERS_INDEX = "model_index.json";
    private static final String SAFETENSORS = ".safetensors";

    public PublishedFolder {
        if (!prefix.endsWith("/")) {
            throw new IllegalArgumentException("prefix = \"" + prefix + "\": expected a store prefix ending in /");
        }
        suffixes = List.copyOf(suffixes);
        java.util.Objects.requireNonNull(folderIndex, "folderIndex");
    }

    /** {@code DIFFARM_MODELS_DIR} as {@code models/<name>.safetensors} and {@code models/<name>/...}. */
    public static PublishedFolder models(Path dir) {
        return new PublishedFolder("models/", dir, List.of(SAFETENSORS), Optional.of(DIFFUSERS_INDEX));
    }

    /** {@code DIFFARM_LORA_DIR} as {@code loras/<name>.safetensors}. */
    public static PublishedFolder loras(Path dir) {
        return new PublishedFolder("loras/", dir, List.of(SAFETENSORS), Optional.empty());
    }

    /** {@code DIFFARM_EMBEDDINGS_DIR}'s top-level {@code .safetensors} files, the form the store's embeddings take. */
    public static PublishedFolder embeddings(Path dir) {
        return new PublishedFolder("embeddings/", dir, List.of(SAFETENSORS), Optional.empty());
    }

    /** {@code DIFFARM_UPSCALERS_DIR} as {@code upscalers/<name>.safetensors} or {@code .pth}. */
    public static PublishedFolder upscalers(Path dir) {
        return new PublishedFolder("upscalers/", dir, UpscalerDirectory.SUFFIXES, Optional.empty());
    }

    /**
     * {@code DIFFARM_CONTROLNETS_DIR} as {@code controlnet/<name>.safetensors} (the original layout) and
     * {@code controlnet/<name>/...} (a diffusers folder, its {@code config.json} last).
     */
    public static PublishedFolder controlNets(Path dir) {
        return new PublishedFolder("controlnet/", dir, List.of(ControlNetDirectory.SUFFIX),
                Optional.of(ControlNetDirectory.DIFFUSERS_CONFIG));
    }

    /**
     * An item of the node's own.
     *
     * @param name     the name jobs use (the file name without its suffix, or the folder's name)
     * @param path     its file or folder
     * @param isFolder whether it is a folder (a diffusers model or ControlNet)
     */
    public record Item(PublishedFolder folder, String name, Path path, boolean isFolder) {
        /** Its key in the store: {@code models/sd15.safetensors}, or {@code models/sd15/} for a folder. */
        public String key() {
            return folder.prefix() + path.getFileName() + (isFolder ? "/" : "");
        }
    }

    /** The node's own items in the folder, by name; none when the folder does not exist. */
    public List<Item> items() {
        List<Item> items = new ArrayList<>();
        for (Path entry : entries()) {
            item(entry).filter(item -> !FetchedItems.isFetched(entry)).ifPresent(items::add);
        }
        return items;
    }

    /**
     * What changes when an item is added, replaced, renamed or removed, cheaply: each visible entry's name, size and
     * time of change (a folder's by its index file and the folder's own).
     */
    public String listing() {
        StringBuilder listing = new StringBuilder(prefix).append('\n');
        for (Path entry : entries()) {
            listing.append(entry.getFileName()).append(' ').append(stamp(entry));
            if (folderIndex.isPresent() && Files.isDirectory(entry)) {
                listing.append(' ').append(stamp(entry.resolve(folderIndex.get())));
            }
            listing.append('\n');
        }
        return listing.toString();
    }

    private Optional<Item> item(Path entry) {
        String file = entry.getFileName().toString();
        if (folderIndex.isPresent() && Files.isDirectory(entry) && Files.isRegularFile(entry.resolve(folderIndex.get()))) {
            return Optional.of(new Item(this, file, entry, true)).filter(item -> StoreBackedCatalog.isName(item.name()));
        }
        if (!Files.isRegularFile(entry)) {
            return Optional.empty();
        }
        return suffixes.stream().filter(file::endsWith).findFirst()
                .map(suffix -> file.substring(0, file.length() - suffix.length()))
                .filter(StoreBackedCatalog::isName)
                .map(name -> new Item(this, name, entry, false));
    }

    /** The folder's visible entries, sorted by name. */
    private List<Path> entries() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.filter(entry -> !entry.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(Path::getFileName)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir + ": " + e, e);
        }
    }

    private static String stamp(Path path) {
        try {
            return Files.isRegularFile(path) ? Files.size(path) + "@" + Files.getLastModifiedTime(path).toMillis()
                    : "dir@" + Files.getLastModifiedTime(path).toMillis();
        } catch (IOException e) {
            // Gone meanwhile: the next look sees the change.
            return "gone";
        }
    }
}

package dev.diffarm.engine.embedding;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The textual-inversion embeddings a prompt may trigger, by name: those of an embeddings folder
 * ({@link #scan}), or given with explicit names ({@link #of}).
 *
 * <p>A folder is read once, with its subfolders: every {@code .safetensors}, {@code .pt} and {@code .bin}
 * file in it, skipping names that start with a dot. Only files inside the folder are read: a link to a file
 * elsewhere is ignored, and so are links to folders. A file that cannot be read is not an error until a
 * prompt uses its name; nor is a name that two files give, which is then ambiguous.
 */
public final class EmbeddingLibrary {
    private static final EmbeddingLibrary NONE = new EmbeddingLibrary(Map.of());

    private final Map<String, List<Source>> byName;

    private EmbeddingLibrary(Map<String, List<Source>> byName) {
        this.byName = byName;
    }

    /** Where a name leads: a file read, or one that could not be. */
    private sealed interface Source permits Readable, Unreadable {
        Path path();
    }

    private record Readable(EmbeddingFile file) implements Source {
        @Override
        public Path path() {
            return file.path();
        }
    }

    private record Unreadable(Path path, String problem) implements Source {
    }

    /** No embeddings. */
    public static EmbeddingLibrary none() {
        return NONE;
    }

    /** Embeddings under names of the caller's choice, as diffusers' {@code load_textual_inversion(file, token=name)}. */
    public static EmbeddingLibrary of(Map<String, EmbeddingFile> byName) {
        Map<String, List<Source>> sources = new LinkedHashMap<>();
        byName.forEach((name, file) -> sources.put(name, List.of(new Readable(file))));
        return new EmbeddingLibrary(sources);
    }

    /**
     * Reads the embeddings of {@code dir}.
     *
     * @throws IllegalArgumentException if {@code dir} is not a folder
     */
    public static EmbeddingLibrary scan(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("embeddings folder " + dir + " does not exist or is not a folder");
        }
        Map<String, List<Source>> sources = new LinkedHashMap<>();
        for (Path file : embeddingFiles(dir)) {
            Source source;
            List<String> names;
            try {
                EmbeddingFile read = EmbeddingFile.read(file);
                source = new Readable(read);
                names = read.triggers();
            } catch (EmbeddingException | UncheckedIOException e) {
                source = new Unreadable(file, e.getMessage());
                names = List.of(EmbeddingFile.stemOf(file));
            }
            for (String name : names) {
                sources.computeIfAbsent(name, n -> new ArrayList<>()).add(source);
            }
        }
        return new EmbeddingLibrary(sources);
    }

    private static List<Path> embeddingFiles(Path dir) {
        try {
            Path root = dir.toRealPath();
            try (Stream<Path> walk = Files.walk(dir)) {
                return walk.filter(p -> !isHidden(dir.relativize(p)) && hasEmbeddingExtension(p)
                                && Files.isRegularFile(p) && isInside(p, root))
                        .sorted()
                        .collect(Collectors.toList());
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list embeddings folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static boolean isHidden(Path relative) {
        for (Path part : relative) {
            if (part.toString().startsWith(".")) {
                return true;
            }
        }
        return false;
    }

    private static boolean hasEmbeddingExtension(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return EmbeddingFile.EXTENSIONS.stream().anyMatch(name::endsWith);
    }

    private static boolean isInside(Path file, Path root) {
        try {
            return file.toRealPath().startsWith(root);
        } catch (IOException e) {
            return false;
        }
    }

    /** Every name a prompt can trigger, readable or not. */
    public Set<String> names() {
        return Collections.unmodifiableSet(byName.keySet());
    }

    /**
     * The embedding triggered by {@code name}.
     *
     * @throws EmbeddingException if there is none, if two files give the name, or if its file cannot be read
     */
    public Embedding get(String name) {
        List<Source> sources = byName.get(name);
        if (sources == null) {
            throw new EmbeddingException("no embedding is named '" + name + "'");
        }
        if (sources.size() > 1) {
            throw new EmbeddingException("embedding '" + name + "' is ambiguous: "
                    + sources.stream().map(s -> s.path().toString()).collect(Collectors.joining(" and "))
                    + " both give that name; rename one");
        }
        Source source = sources.get(0);
        if (source instanceof Unreadable unreadable) {
            throw new EmbeddingException("embedding '" + name + "' cannot be used: " + unreadable.problem());
        }
        return new Embedding(name, ((Readable) source).file());
    }
}

package dev.diffarm.daemon.render;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The models directory ({@code DIFFARM_MODELS_DIR}): every diffusers folder (one with a
 * {@code model_index.json}) and every {@code .safetensors} checkpoint in it is a model, named by its folder
 * name or its file name without the extension, as {@code StableDiffusion#name()} names it. Links are
 * followed, so a model may be linked in from elsewhere. The folder is read on each call: a model copied in
 * while the daemon runs is found.
 */
public final class ModelDirectory {
    private static final String CHECKPOINT_SUFFIX = ".safetensors";

    private final Path dir;

    public ModelDirectory(Path dir) {
        this.dir = dir;
    }

    /**
     * A model the directory holds.
     *
     * @param name   the name jobs use
     * @param path   its folder or file
     * @param format {@code diffusers} for a folder, {@code checkpoint} for a single file
     */
    public record Model(String name, Path path, String format) {
    }

    public Path dir() {
        return dir;
    }

    /** The models, sorted by name; empty when the directory does not exist. */
    public List<Model> models() {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.map(ModelDirectory::model).flatMap(Optional::stream)
                    .sorted(Comparator.comparing(Model::name)).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the models in " + dir + ": " + e, e);
        }
    }

    /** The model called {@code name}. */
    public Optional<Model> find(String name) {
        return models().stream().filter(model -> model.name().equals(name)).findFirst();
    }

    private static Optional<Model> model(Path entry) {
        String file = entry.getFileName().toString();
        if (file.startsWith(".")) {
            return Optional.empty();
        }
        if (Files.isDirectory(entry) && Files.isRegularFile(entry.resolve("model_index.json"))) {
            return Optional.of(new Model(file, entry, "diffusers"));
        }
        if (Files.isRegularFile(entry) && file.endsWith(CHECKPOINT_SUFFIX)) {
            return Optional.of(new Model(file.substring(0, file.length() - CHECKPOINT_SUFFIX.length()), entry,
                    "checkpoint"));
        }
        return Optional.empty();
    }
}

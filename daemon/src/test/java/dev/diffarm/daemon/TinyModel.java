package dev.diffarm.daemon;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/** The engine's tiny random-weight SD model, linked into a models folder the way a user would add one. */
public final class TinyModel {
    /** The name jobs use for it. */
    public static final String NAME = "tiny";

    private TinyModel() {
    }

    /** The model folder, from the {@code diffarm.tiny.model} property the build sets. */
    public static Path source() {
        String path = System.getProperty("diffarm.tiny.model");
        if (path == null || !Files.isRegularFile(Path.of(path, "model_index.json"))) {
            throw new IllegalStateException("diffarm.tiny.model = " + path + ": expected the engine's test model folder "
                    + "(engine/src/test/resources/sd-tiny/model); run the tests through Maven");
        }
        return Path.of(path).toAbsolutePath();
    }

    /** A models folder in {@code dir} holding the tiny model as {@value #NAME}. */
    public static Path modelsDir(Path dir) {
        try {
            Path models = Files.createDirectories(dir);
            Files.createSymbolicLink(models.resolve(NAME), source());
            return models;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A ControlNet folder in {@code dir} holding the engine's tiny ControlNet (a diffusers folder) as {@code name}. */
    public static Path controlNetsDir(Path dir, String name) {
        try {
            Path controlNets = Files.createDirectories(dir);
            Files.createSymbolicLink(controlNets.resolve(name), source().getParent().resolve("controlnet"));
            return controlNets;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The fixture's train-data (four 32x32 PNGs with captions) copied into {@code folder}. */
    public static Path copyTrainData(Path folder) throws IOException {
        Path data = source().getParent().resolve("train-data");
        Files.createDirectories(folder);
        try (Stream<Path> files = Files.list(data)) {
            for (Path file : files.toList()) {
                Files.copy(file, folder.resolve(file.getFileName()));
            }
        }
        return folder;
    }

    /** A render job of the tiny model at 32x32 (its VAE halves, so a 16x16 latent) with {@code steps} steps. */
    public static String renderJob(String id, String prompts, String seeds, int steps) {
        return """
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "%s", "model": "%s", "prompts": %s,
                 "seeds": %s, "steps": %d, "width": 32, "height": 32, "sampler": "Euler a", "cfg": 7.0}
                """.formatted(id, NAME, prompts, seeds, steps);
    }
}

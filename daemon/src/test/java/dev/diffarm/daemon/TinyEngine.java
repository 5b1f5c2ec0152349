package dev.diffarm.daemon;

import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.EngineRenderer;
import dev.diffarm.daemon.render.InputPictures;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.ModeCatalogs;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.engine.clip.TokenizerLocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The engine on the tiny model, for test classes that render for real: a models folder holding it as
 * {@code tiny}, and one model cache, so that the class loads the model once. Register it with
 * {@code @RegisterExtension static final TinyEngine tiny = new TinyEngine();}.
 */
public final class TinyEngine implements BeforeAllCallback, AfterAllCallback {
    private Path dir;
    private Path models;
    private ModelCache cache;

    @Override
    public void beforeAll(ExtensionContext context) throws IOException {
        dir = Files.createTempDirectory("tiny-engine");
        models = TinyModel.modelsDir(dir.resolve("models"));
        cache = new ModelCache(new ModelDirectory(models), TokenizerLocator.fromEnvironment());
    }

    @Override
    public void afterAll(ExtensionContext context) throws IOException {
        cache.close();
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(file -> {
                try {
                    Files.delete(file);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }

    /** The models folder, holding the tiny model as {@code tiny}. */
    public Path models() {
        return models;
    }

    /** The engine renderer on the tiny model, with the LoRAs of {@code loras} and the embeddings of {@code embeddings}. */
    public EngineRenderer renderer(Path loras, Path embeddings) {
        return new EngineRenderer(cache, TestPlugins.samplers(), new LoraDirectory(loras), new EmbeddingDirectory(embeddings));
    }

    /** The engine renderer on the tiny model, reading the pictures tasks name with {@code pictures}. */
    public EngineRenderer renderer(Path loras, Path embeddings, InputPictures pictures) {
        return new EngineRenderer(cache, TestPlugins.samplers(), new LoraDirectory(loras), new EmbeddingDirectory(embeddings),
                pictures);
    }

    /**
     * The engine renderer on the tiny model, reading the pictures tasks name with {@code pictures}, rendering hires
     * passes and ControlNet units with the upscalers and ControlNets of {@code catalogs}.
     */
    public EngineRenderer renderer(Path loras, Path embeddings, InputPictures pictures, ModeCatalogs catalogs) {
        return new EngineRenderer(cache, TestPlugins.samplers(), new LoraDirectory(loras), new EmbeddingDirectory(embeddings),
                pictures, Optional.empty(), catalogs);
    }

    /** The renderer's model cache, which keeps the ControlNets it loaded. */
    public ModelCache cache() {
        return cache;
    }

    /** The engine renderer, adding each task's key to {@code rendered} as it starts the task. */
    public TaskRenderer noting(List<String> rendered) {
        EngineRenderer engine = renderer(dir.resolve("loras"), dir.resolve("embeddings"));
        return (task, progress) -> {
            rendered.add(task.key());
            return engine.render(task, progress);
        };
    }
}

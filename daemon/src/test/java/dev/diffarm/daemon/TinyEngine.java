package dev.diffarm.daemon;

import dev.diffarm.daemon.render.EngineRenderer;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.engine.clip.TokenizerLocator;
import java.nio.file.Path;
import java.util.List;

/**
 * The engine on the tiny model, for tests that render for real: a models folder holding it as {@code tiny}, and
 * one model cache, so that a test class loads the model once.
 */
public final class TinyEngine implements AutoCloseable {
    public final Path models;
    private final Path loras;
    private final ModelCache cache;

    /** The models folder and an (empty) LoRA folder under {@code dir}. */
    public TinyEngine(Path dir) {
        this.models = TinyModel.modelsDir(dir.resolve("models"));
        this.loras = dir.resolve("loras");
        this.cache = new ModelCache(new ModelDirectory(models), TokenizerLocator.fromEnvironment());
    }

    /** The engine renderer, adding each task's key to {@code rendered} as it starts the task. */
    public TaskRenderer noting(List<String> rendered) {
        EngineRenderer engine = new EngineRenderer(cache, TestPlugins.samplers(), new LoraDirectory(loras));
        return (task, progress) -> {
            rendered.add(task.key());
            return engine.render(task, progress);
        };
    }

    @Override
    public void close() {
        cache.close();
    }
}

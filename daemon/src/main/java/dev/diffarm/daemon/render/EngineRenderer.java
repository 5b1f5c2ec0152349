package dev.diffarm.daemon.render;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.pipeline.RenderRequest;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.pipeline.Rendering;
import dev.diffarm.engine.pipeline.TextToImage;
import dev.diffarm.engine.sampler.SamplerRegistry;
import java.util.function.Supplier;
import dev.diffarm.farm.config.RenderSettings;
import dev.diffarm.farm.config.TaskParameters;
import dev.diffarm.farm.config.TaskSpec;
import java.util.concurrent.CancellationException;

/**
 * Renders tasks with the engine's txt2img pipeline on the model its {@link ModelCache} holds: the image is
 * the one {@code TextToImage} gives for the same parameters, saved as a PNG with the same {@code parameters}
 * text as {@code diffarm render} writes.
 */
public final class EngineRenderer implements TaskRenderer {
    private final ModelCache models;
    private final Supplier<SamplerRegistry> samplers;

    public EngineRenderer(ModelCache models, Supplier<SamplerRegistry> samplers) {
        this.models = models;
        this.samplers = samplers;
    }

    /** The engine's request for a task: one image of the task's prompt, seed, size and settings. */
    public static RenderRequest request(TaskParameters parameters) {
        RenderSettings settings = parameters.settings();
        return new RenderRequest(parameters.prompt(), settings.negativePrompt(), settings.sampler(), settings.steps(),
                settings.cfg(), parameters.seed(), parameters.size().width(), parameters.size().height(), 1,
                settings.clipSkip(), Emphasis.ORIGINAL);
    }

    @Override
    public byte[] render(TaskSpec task, Progress progress) {
        ModelCache.LoadedModel loaded = models.lease(task.parameters().settings().model());
        RenderRequest request = request(task.parameters());
        try {
            Rendering rendering = new TextToImage(loaded.model(), samplers).render(request, progress);
            String infotext = request.generationParameters(samplers.get().resolve(request.sampler(), request.schedule()).name(),
                    loaded.shortHash(), loaded.model().name()).toInfotext();
            return PngWriter.encode(rendering.images().get(0), infotext);
        } catch (CancellationException cancelled) {
            throw cancelled;
        } catch (RuntimeException e) {
            throw new RenderException(RenderException.RENDER_FAILED, "rendering " + task.id() + " failed: " + e, e);
        }
    }
}

package dev.diffarm.daemon.render;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.image.GenerationParameters;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.lora.ActiveLoras;
import dev.diffarm.engine.lora.LoraException;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.pipeline.RenderRequest;
import dev.diffarm.engine.pipeline.Rendering;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.pipeline.TextToImage;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.prompt.ExtraNetworkTags;
import dev.diffarm.engine.prompt.LoraTag;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.farm.config.Lora;
import dev.diffarm.farm.config.RenderSettings;
import dev.diffarm.farm.config.TaskParameters;
import dev.diffarm.farm.config.TaskSpec;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Renders tasks with the engine's txt2img pipeline on the model its {@link ModelCache} holds, with the task's
 * LoRAs from its {@link LoraDirectory} fused into the weights for the render and taken out again after it: the
 * image is the one {@code TextToImage} gives for the same parameters and LoRAs, saved as a PNG with the same
 * {@code parameters} text (including {@code Lora hashes}) as {@code diffarm render} writes.
 */
public final class EngineRenderer implements TaskRenderer {
    private static final Logger LOG = Logger.getLogger(EngineRenderer.class);

    private final ModelCache models;
    private final Supplier<SamplerRegistry> samplers;
    private final LoraDirectory loras;

    public EngineRenderer(ModelCache models, Supplier<SamplerRegistry> samplers, LoraDirectory loras) {
        this.models = models;
        this.samplers = samplers;
        this.loras = loras;
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
        List<LoraRequest> loraRequests = loras.requests(taskLoras(task.parameters()));
        RenderRequest request = request(task.parameters());
        try (ActiveLoras active = activate(loaded.model(), loraRequests)) {
            active.warnings().forEach(warning -> LOG.warnf("%s: %s", task.id(), warning));
            Rendering rendering = new TextToImage(loaded.model(), samplers).render(request, progress);
            GenerationParameters parameters = request.generationParameters(
                    samplers.get().resolve(request.sampler(), request.schedule()).name(), loaded.shortHash(),
                    loaded.model().name());
            String infotext = active.infotextHashes().map(hashes -> parameters.with("Lora hashes", hashes))
                    .orElse(parameters).toInfotext();
            return PngWriter.encode(rendering.images().get(0), infotext);
        } catch (CancellationException | RenderException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RenderException(RenderException.RENDER_FAILED, "rendering " + task.id() + " failed: " + e, e);
        }
    }

    /** The task's {@code loras}, then those its prompt names with {@code <lora:NAME:WEIGHT>}, as AUTOMATIC1111 reads them. */
    private static List<Lora> taskLoras(TaskParameters parameters) {
        List<Lora> all = new ArrayList<>(parameters.settings().loras());
        for (LoraTag tag : ExtraNetworkTags.extract(parameters.prompt()).loras()) {
            try {
                all.add(new Lora(tag.name(), tag.weight()));
            } catch (IllegalArgumentException e) {
                throw new RenderException(RenderException.LORA_UNAVAILABLE,
                        "the prompt's <lora:" + tag.name() + ":" + tag.weight() + ">: " + e.getMessage(), e);
            }
        }
        return all;
    }

    private static ActiveLoras activate(StableDiffusion model, List<LoraRequest> requests) {
        try {
            return ActiveLoras.activate(model, requests);
        } catch (IOException | LoraException e) {
            throw new RenderException(RenderException.LORA_UNAVAILABLE,
                    "the LoRAs " + requests.stream().map(LoraRequest::name).toList() + " cannot be applied to model \""
                            + model.name() + "\": " + e.getMessage(), e);
        }
    }
}

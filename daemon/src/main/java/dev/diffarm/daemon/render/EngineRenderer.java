package dev.diffarm.daemon.render;

import dev.diffarm.api.Progress;
import dev.diffarm.api.upscale.TileLayout;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.lora.LoraException;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.pipeline.Generation;
import dev.diffarm.engine.pipeline.GenerationBatch;
import dev.diffarm.engine.pipeline.GenerationPlan;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.upscale.ExtrasUpscale;
import dev.diffarm.engine.upscale.ImageUpscaler;
import dev.diffarm.farm.config.ImageModes;
import dev.diffarm.farm.config.RenderSettings;
import dev.diffarm.farm.config.TaskParameters;
import dev.diffarm.farm.config.TaskSpec;
import dev.diffarm.farm.config.UpscaleSettings;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Renders a task through the engine's {@link Generator}, as {@code diffarm render} does: the task's parameters
 * become a {@link GenerationRequest}, with the task's LoRAs from its {@link LoraDirectory} (a prompt's
 * {@code <lora:NAME:WEIGHT>} tags are found there too), the embeddings of its {@link EmbeddingDirectory}, on the
 * model its {@link ModelCache} holds; an init image, a mask or a hires pass as the CLI's mode commands ask for them
 * ({@link ModeRequests}), the pictures from its {@link InputPictures}. The PNG carries the same {@code parameters}
 * text as the CLI's. A task's upscale step makes the image larger as an upscale job does ({@link ExtrasUpscale}), so the
 * stored PNG is what the CLI's {@code render} then {@code upscale} make. Plain txt2img tasks with one {@link TaskBatchKey} render together through the engine's
 * {@link GenerationBatch}, each getting the PNG it gets alone.
 */
public final class EngineRenderer implements TaskRenderer {
    private static final Logger LOG = Logger.getLogger(EngineRenderer.class);

    private final ModelCache models;
    private final Supplier<SamplerRegistry> samplers;
    private final LoraDirectory loras;
    private final EmbeddingDirectory embeddings;
    private final InputPictures pictures;
    private final Optional<StoreBackedCatalog> store;
    private final ModeCatalogs catalogs;
    private final Optional<UpscalerCache> upscaleSteps;

    /** A renderer of the node's own LoRAs and embeddings, reading the task's pictures with {@code pictures}. */
    public EngineRenderer(ModelCache models, Supplier<SamplerRegistry> samplers, LoraDirectory loras,
                          EmbeddingDirectory embeddings, InputPictures pictures) {
        this(models, samplers, loras, embeddings, pictures, Optional.empty());
    }

    /**
     * A renderer that first fetches the task's LoRAs and embeddings the node lacks from the farm's store, and reads a
     * task's pictures with {@code pictures}.
     */
    public EngineRenderer(ModelCache models, Supplier<SamplerRegistry> samplers, LoraDirectory loras,
                          EmbeddingDirectory embeddings, InputPictures pictures, Optional<StoreBackedCatalog> store) {
        this(models, samplers, loras, embeddings, pictures, store, ModeCatalogs.NONE);
    }

    /**
     * As the renderer above, that also renders hires passes with the node's upscalers and ControlNet units with its
     * ControlNets ({@code catalogs}; the ControlNets kept loaded between tasks by the device's
     * {@link ModelCache#controlNets}).
     */
    public EngineRenderer(ModelCache models, Supplier<SamplerRegistry> samplers, LoraDirectory loras,
                          EmbeddingDirectory embeddings, InputPictures pictures, Optional<StoreBackedCatalog> store,
                          ModeCatalogs catalogs) {
        this(models, samplers, loras, embeddings, pictures, store, catalogs, Optional.empty());
    }

    /**
     * As the renderer above, that also runs the upscale step of a task that has one ({@code upscale}) with the
     * worker's upscaler ({@code upscaleSteps}, the cache its upscale jobs use: one network loaded for both).
     */
    public EngineRenderer(ModelCache models, Supplier<SamplerRegistry> samplers, LoraDirectory loras,
                          EmbeddingDirectory embeddings, InputPictures pictures, Optional<StoreBackedCatalog> store,
                          ModeCatalogs catalogs, Optional<UpscalerCache> upscaleSteps) {
        this.models = models;
        this.samplers = samplers;
        this.loras = loras;
        this.embeddings = embeddings;
        this.pictures = pictures;
        this.store = store;
        this.catalogs = catalogs;
        this.upscaleSteps = upscaleSteps;
    }

    /** A renderer of tasks whose pictures, if any, are inline. */
    public EngineRenderer(ModelCache models, Supplier<SamplerRegistry> samplers, LoraDirectory loras,
                          EmbeddingDirectory embeddings) {
        this(models, samplers, loras, embeddings, InputPictures.inlineOnly());
    }

    /**
     * The engine's request for a task: one image of the task's prompt, seed, size and settings, with {@code loras},
     * in the task's modes with the pictures {@code pictures} reads and the upscalers and ControlNets of {@code catalogs}
     * (an upscaler a hires pass opened is closed with {@link ModeRequests#closeUpscaler}).
     */
    public static GenerationRequest request(TaskParameters parameters, List<LoraRequest> loras, InputPictures pictures,
                                            ModeCatalogs catalogs) {
        RenderSettings settings = parameters.settings();
        GenerationRequest txt2img = new GenerationRequest(parameters.prompt(), settings.negativePrompt(),
                settings.sampler(), settings.schedule(), settings.eta(), settings.steps(), settings.cfg(),
                parameters.seed(), parameters.size().width(), parameters.size().height(), 1, settings.clipSkip(),
                Emphasis.ORIGINAL, loras);
        return ModeRequests.apply(txt2img, settings.modes(), pictures, catalogs);
    }

    @Override
    public byte[] render(TaskSpec task, Progress progress) {
        // What the task names from the store stays in use (not evicted from the node's cache) until it is rendered.
        try (StoreBackedCatalog.InUse inUse = fetch(task)) {
            GenerationRequest request = request(task);
            try {
                GenerationPlan plan = plan(request);
                ModelCache.LoadedModel loaded = models.lease(task.parameters().settings().model());
                return png(task, run(plan, loaded, progress), progress);
            } finally {
                ModeRequests.closeUpscaler(request);
            }
        } catch (CancellationException | RenderException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RenderException(RenderException.RENDER_FAILED, "rendering " + task.id() + " failed: " + e, e);
        }
    }

    /**
     * The model and the engine's {@link GenerationBatch#key} of a plain txt2img task; empty for a task in another mode
     * (its pictures are not read for this) and for one that cannot be planned, which renders alone and fails there.
     */
    @Override
    public Optional<TaskBatchKey> batchKey(TaskSpec task) {
        if (!task.parameters().settings().modes().equals(ImageModes.NONE)) {
            return Optional.empty();
        }
        try (StoreBackedCatalog.InUse inUse = fetch(task)) {
            return GenerationBatch.key(plan(task)).map(key -> new TaskBatchKey(task.parameters().settings().model(), key));
        } catch (RuntimeException cannotPlan) {
            return Optional.empty();
        }
    }

    @Override
    public List<byte[]> renderBatch(List<TaskSpec> tasks, Progress progress) {
        if (tasks.size() == 1) {
            return List.of(render(tasks.get(0), progress));
        }
        List<StoreBackedCatalog.InUse> inUse = new ArrayList<>();
        try {
            tasks.forEach(task -> inUse.add(fetch(task)));
            List<GenerationPlan> plans = tasks.stream().map(this::plan).toList();
            ModelCache.LoadedModel loaded = models.lease(tasks.get(0).parameters().settings().model());
            List<Generation> generations;
            try {
                generations = GenerationBatch.run(plans, loaded.model(), loaded.shortHash(), progress);
            } catch (IOException | LoraException e) {
                throw loraUnavailable(plans.get(0), loaded, e);
            }
            List<byte[]> pngs = new ArrayList<>(tasks.size());
            for (int i = 0; i < tasks.size(); i++) {
                pngs.add(png(tasks.get(i), generations.get(i), progress));
            }
            return pngs;
        } catch (CancellationException | RenderException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new RenderException(RenderException.RENDER_FAILED, "rendering the batch "
                    + tasks.stream().map(TaskSpec::id).toList() + " failed: " + e, e);
        } finally {
            inUse.forEach(StoreBackedCatalog.InUse::close);
        }
    }

    /** Fetches the LoRAs and embeddings the task names that the node lacks from the farm's store; in use until closed. */
    private StoreBackedCatalog.InUse fetch(TaskSpec task) {
        return store.map(catalog -> catalog.fetchFor(task.parameters())).orElse(StoreBackedCatalog.InUse.NOTHING);
    }

    /** The task's plan, once what it names is on the node ({@link #fetch}). */
    private GenerationPlan plan(TaskSpec task) {
        return plan(request(task));
    }

    /** The task's request, once what it names is on the node ({@link #fetch}). */
    private GenerationRequest request(TaskSpec task) {
        return request(task.parameters(), loras.requests(task.parameters().settings().loras()), pictures, catalogs);
    }

    /**
     * The PNG of the task's one image, with its infotext, after the task's upscale step if it has one; the engine's
     * warnings logged.
     */
    private byte[] png(TaskSpec task, Generation generation, Progress progress) {
        generation.warnings().forEach(warning -> LOG.warnf("%s: %s", task.id(), warning));
        Generation.Image image = generation.images().get(0);
        Optional<UpscaleSettings> step = task.parameters().settings().modes().upscale();
        if (step.isEmpty()) {
            return PngWriter.encode(image.pixels(), image.infotext());
        }
        UpscalerCache upscalers = upscaleSteps.orElseThrow(() -> new RenderException(RenderException.INPUT_UNAVAILABLE,
                "upscale.upscaler = \"" + step.get().upscaler() + "\": this node runs no upscale steps (no upscalers "
                        + "are set up)", null));
        ImageUpscaler upscaler = upscalers.lease("upscale.upscaler", step.get().upscaler(),
                new Tiling(step.get().tile(), step.get().tileOverlap(), TileLayout.GRID));
        return ExtrasUpscale.png(image.pixels(), image.infotext(), upscaler, step.get().scale(), cancellation(progress));
    }

    /** {@code progress}'s cancellation alone: the task's progress counts sampling steps, not the step's tiles. */
    private static Progress cancellation(Progress progress) {
        return new Progress() {
            @Override
            public boolean isCancelled() {
                return progress.isCancelled();
            }
        };
    }

    /** The checked request; a prompt tag naming a LoRA the folder lacks fails as a missing LoRA. */
    private GenerationPlan plan(GenerationRequest request) {
        try {
            return new Generator(samplers, embeddings.library(), Optional.of(loras.dir())).plan(request);
        } catch (LoraException e) {
            throw new RenderException(RenderException.LORA_UNAVAILABLE, "the prompt's LoRA: " + e.getMessage(), e);
        }
    }

    private Generation run(GenerationPlan plan, ModelCache.LoadedModel loaded, Progress progress) {
        try {
            return plan.run(loaded.model(), loaded.shortHash(), progress, models.controlNets());
        } catch (IOException | LoraException e) {
            throw loraUnavailable(plan, loaded, e);
        } catch (ModelLoadException e) {
            throw new RenderException(RenderException.INPUT_UNAVAILABLE, "controlnets: a ControlNet cannot be loaded: "
                    + e.getMessage(), e);
        }
    }

    private static RenderException loraUnavailable(GenerationPlan plan, ModelCache.LoadedModel loaded, Exception e) {
        return new RenderException(RenderException.LORA_UNAVAILABLE,
                "the LoRAs " + plan.loras().stream().map(LoraRequest::name).toList() + " cannot be applied to model \""
                        + loaded.model().name() + "\": " + e.getMessage(), e);
    }
}

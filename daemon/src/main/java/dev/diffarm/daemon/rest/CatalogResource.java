package dev.diffarm.daemon.rest;

import dev.diffarm.daemon.render.ControlNetDirectory;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.LoadedModels;
import dev.diffarm.daemon.render.LocalPublisher;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.StoreBackedCatalog;
import dev.diffarm.daemon.render.UpscalerCatalog;
import dev.diffarm.engine.pipeline.LatentUpscaler;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.upscale.Upscalers;
import dev.diffarm.farm.config.JobSchema;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a producer needs to write a job this farm accepts: the schema, the samplers, schedules and ControlNet
 * preprocessors, the models, the ControlNets, the textual-inversion embeddings.
 */
@Path("/")
@Produces(MediaType.APPLICATION_JSON)
public class CatalogResource {
    private final ModelDirectory models;
    private final LoadedModels loaded;
    private final SamplerPlugins plugins;
    private final EmbeddingDirectory embeddings;
    private final LoraDirectory loras;
    private final StoreBackedCatalog store;
    private final ControlNetDirectory controlNets;
    private final LocalPublisher publisher;
    private final UpscalerCatalog upscalers;

    CatalogResource(ModelDirectory models, LoadedModels loaded, SamplerPlugins plugins,
                    EmbeddingDirectory embeddings, LoraDirectory loras, StoreBackedCatalog store,
                    ControlNetDirectory controlNets, LocalPublisher publisher, UpscalerCatalog upscalers) {
        this.models = models;
        this.loaded = loaded;
        this.plugins = plugins;
        this.embeddings = embeddings;
        this.loras = loras;
        this.store = store;
        this.controlNets = controlNets;
        this.publisher = publisher;
        this.upscalers = upscalers;
    }

    /**
     * A sampler a job may name.
     *
     * @param name           its name, as AUTOMATIC1111 spells it
     * @param diffusersClass the diffusers scheduler whose schedule it walks
     */
    public record SamplerInfo(String name, String diffusersClass, String plugin, String version) {
    }

    /**
     * A noise schedule a job may name in {@code schedule} ({@code default}, the model's own, is always there too).
     *
     * @param name its name, as AUTOMATIC1111 writes it in {@code Schedule type}
     */
    public record ScheduleInfo(String name, String plugin, String version) {
    }

    /**
     * An upscaler: one a job may name in {@code hrUpscaler}, or one the upscaler plugins supply.
     *
     * @param name its name, as AUTOMATIC1111 writes it in {@code Hires upscaler}; for an architecture, the family
     *             whose model files ({@code .pth}, {@code .safetensors}) the plugins load ({@code ESRGAN})
     * @param kind {@code latent}: it enlarges the first pass's latents (the engine's own, no plugin);
     *             {@code resampler}: a plugin's filter ({@code Lanczos}); {@code architecture}: a plugin's network
     *             family, used through a model file; {@code sd-x4}: an SD x4 upscaler folder of the upscalers folder
     *             (the engine's diffusion pipeline), which upscale jobs name with render fields
     */
    public record UpscalerInfo(String name, String kind) {
    }

    /**
     * A ControlNet preprocessor a job may name, as sd-webui-controlnet's {@code module}.
     *
     * @param name    its name
     * @param aliases other names it answers to
     * @param options the options it takes, each with its default
     */
    public record PreprocessorInfo(String name, List<String> aliases, Map<String, Double> options, String plugin,
                                   String version) {
    }

    /**
     * The farm's plugins by kind.
     *
     * @param samplers       the samplers, sorted by name
     * @param schedules      the noise schedules, sorted by name
     * @param hiresUpscalers a hires pass's upscalers: the latent modes in A1111's order, then the farm's resamplers and
     *                       models ({@code kind} {@code latent}, {@code resampler}, {@code model})
     * @param upscalers      the upscaler plugins' resamplers and network architectures (the CLI's {@code upscale}
     *                       and {@code render --hires-upscaler} take them), then the farm's SD x4 upscalers (kind
     *                       {@code sd-x4}: upscale jobs only)
     * @param preprocessors  the ControlNet preprocessors, sorted by name
     * @param controlNets    the ControlNet models a unit may name: the node's folder's and the farm's store's, sorted
     *                       ({@code GET /controlnets} says where each is)
     */
    public record Plugins(List<SamplerInfo> samplers, List<ScheduleInfo> schedules, List<UpscalerInfo> hiresUpscalers,
                          List<UpscalerInfo> upscalers, List<PreprocessorInfo> preprocessors, List<String> controlNets) {
    }

    /**
     * The textual-inversion embeddings a prompt may trigger by name.
     *
     * @param dir   the embeddings directory
     * @param names every name, sorted
     */
    public record Embeddings(String dir, List<String> names) {
    }

    /**
     * The LoRAs a job may name ({@code loras} or a prompt's {@code <lora:NAME:W>}).
     *
     * @param dir     the node's LoRA folder
     * @param local   the LoRAs in it, sorted
     * @param store   the LoRAs in the farm's store ({@code loras/<name>.safetensors}), sorted; a node fetches one
     *                into its folder when a task names it
     */
    public record Loras(String dir, List<String> local, List<String> store) {
    }

    /**
     * The models a job may name.
     *
     * @param dir    the models directory
     * @param loaded the model the worker holds loaded, if any
     * @param models every model, by name: the folder's, then those only the farm's store holds (format {@code store})
     * @param conflicts the items of this node's folders (models, LoRAs, embeddings, upscalers) that it does not publish
     *                  because the store holds their names with other content: a job naming one renders this node's
     *                  item here and the store's elsewhere
     */
    public record Models(String dir, Optional<String> loaded, List<ModelInfo> models,
                         List<LocalPublisher.Conflict> conflicts) {
    }

    /**
     * One model.
     *
     * @param name   the name jobs use
     * @param format {@code diffusers} (a folder) or {@code checkpoint} (a .safetensors file)
     * @param path   where it is
     */
    public record ModelInfo(String name, String format, String path) {
    }

    /**
     * The ControlNets a job's unit may name in {@code model} (its {@code module} is one of {@code GET /plugins}'s
     * preprocessors).
     *
     * @param dir    the node's ControlNet folder ({@code DIFFARM_CONTROLNETS_DIR})
     * @param models every ControlNet in it, by name: {@code format} {@code diffusers} (a folder) or {@code checkpoint}
     *               (a .safetensors file in the original layout); then those only the farm's store holds
     *               ({@code format} {@code store}, {@code path} its key), which a node fetches when a task names one
     */
    public record ControlNets(String dir, List<ModelInfo> models) {
    }

    /** The JSON Schema of jobs: render jobs, campaigns and merges (draft 2020-12). */
    @GET
    @Path("schema")
    public String schema() {
        return JobSchema.text();
    }

    @GET
    @Path("plugins")
    public Plugins plugins() {
        SamplerRegistry registry = plugins.registry();
        Upscalers upscalers = plugins.upscalers();
        List<UpscalerInfo> plugged = new ArrayList<>();
        upscalers.names().forEach(name -> plugged.add(new UpscalerInfo(name, "resampler")));
        upscalers.architectures().forEach(name -> plugged.add(new UpscalerInfo(name, "architecture")));
        this.upscalers.sdUpscalerNames().forEach(name -> plugged.add(new UpscalerInfo(name, "sd-x4")));
        return new Plugins(registry.samplers().stream()
                .map(entry -> new SamplerInfo(entry.name(), entry.sampler().diffusers().schedulerClass(),
                        entry.origin().pluginId(), entry.origin().version())).toList(),
                registry.schedules().stream()
                        .map(entry -> new ScheduleInfo(entry.name(), entry.origin().pluginId(), entry.origin().version()))
                        .toList(),
                hiresUpscalers(upscalers), plugged,
                plugins.preprocessors().entries().stream()
                        .map(entry -> new PreprocessorInfo(entry.preprocessor().name(), entry.preprocessor().aliases(),
                                new TreeMap<>(entry.preprocessor().defaults()), entry.origin().pluginId(),
                                entry.origin().version()))
                        .toList(),
                controlNets().models().stream().map(ModelInfo::name).toList());
    }

    /** A hires pass's upscalers: the latent modes in A1111's order, then the farm's resamplers and upscaler models. */
    private List<UpscalerInfo> hiresUpscalers(Upscalers plugged) {
        List<UpscalerInfo> hires = new ArrayList<>();
        Arrays.stream(LatentUpscaler.values()).forEach(upscaler -> hires.add(new UpscalerInfo(upscaler.label(), "latent")));
        for (String name : upscalers.imageUpscalerNames()) {
            hires.add(new UpscalerInfo(name, plugged.resampler(name).isPresent() ? "resampler" : "model"));
        }
        return hires;
    }

    @GET
    @Path("embeddings")
    public Embeddings embeddings() {
        return new Embeddings(embeddings.dir().toString(), embeddings.names());
    }

    @GET
    @Path("models")
    public Models models() {
        List<ModelInfo> all = new java.util.ArrayList<>(models.models().stream()
                .map(model -> new ModelInfo(model.name(), model.format(), model.path().toString())).toList());
        store.names(StoreBackedCatalog.Kind.MODEL).stream()
                .filter(name -> all.stream().noneMatch(model -> model.name().equals(name)))
                .forEach(name -> all.add(new ModelInfo(name, "store", StoreBackedCatalog.Kind.MODEL.key(name))));
        return new Models(models.dir().toString(), loaded.first(), all, publisher.conflicts());
    }

    @GET
    @Path("controlnets")
    public ControlNets controlNets() {
        List<ModelInfo> all = new ArrayList<>();
        for (String name : controlNets.names()) {
            controlNets.find(name).ifPresent(path -> all.add(new ModelInfo(name,
                    java.nio.file.Files.isDirectory(path) ? "diffusers" : "checkpoint", path.toString())));
        }
        store.names(StoreBackedCatalog.Kind.CONTROLNET).stream()
                .filter(name -> all.stream().noneMatch(local -> local.name().equals(name)))
                .forEach(name -> all.add(new ModelInfo(name, "store", StoreBackedCatalog.Kind.CONTROLNET.prefix() + name)));
        all.sort(java.util.Comparator.comparing(ModelInfo::name));
        return new ControlNets(controlNets.dir().toString(), all);
    }

    @GET
    @Path("loras")
    public Loras loras() {
        return new Loras(loras.dir().toString(), loras.names(), store.names(StoreBackedCatalog.Kind.LORA));
    }
}

package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.model.ModelLoadException;
import java.io.IOException;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import dev.diffarm.engine.clip.ClipTextModel;
import dev.diffarm.engine.clip.ClipTokenizer;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.ModelFiles.Component;
import dev.diffarm.engine.model.TextEncoderConfig;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.VaeConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.schedule.Schedule;
import dev.diffarm.engine.schedule.SchedulerConfig;
import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.api.Sampler;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import dev.diffarm.engine.vae.AutoencoderKL;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A loaded Stable Diffusion 1.x model: tokenizer, text encoder, UNet, VAE and the scheduler config its
 * samplers start from. The weights live in the model's own manager, on its {@link Placement}'s device, until
 * {@link #close}; the text encoder and UNet in the placement's precision, the VAE in float32.
 */
public final class StableDiffusion implements AutoCloseable {
    private final Path path;
    private final Placement placement;
    private final NDManager manager;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textModel;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    /** The model's own scheduler config; SD 1.5's when the model has none. */
    private final Optional<JsonNode> schedulerConfig;
    private final LayerIndex textEncoderLayers;
    private final LayerIndex unetLayers;
    private final Map<String, NDArray> weightArrays;

    private StableDiffusion(Path path, Placement placement, NDManager manager, ClipTokenizer tokenizer, ClipTextModel textModel,
                            UNet2DConditionModel unet, AutoencoderKL vae, Optional<JsonNode> schedulerConfig,
                            LayerIndex textEncoderLayers, LayerIndex unetLayers, Map<String, NDArray> weightArrays) {
        this.path = path;
        this.placement = placement;
        this.manager = manager;
        this.tokenizer = tokenizer;
        this.textModel = textModel;
        this.unet = unet;
        this.vae = vae;
        this.schedulerConfig = schedulerConfig;
        this.textEncoderLayers = textEncoderLayers;
        this.unetLayers = unetLayers;
        this.weightArrays = weightArrays;
    }

    /**
     * Loads a model: a diffusers folder or a single-file {@code .safetensors} checkpoint.
     *
     * @param model     the folder or file
     * @param configDir a diffusers folder whose configs describe the model (needed where the tensors cannot tell)
     * @param tokenizer a folder with {@code vocab.json} and {@code merges.txt}; else the model's, else CLIP's
     * @param locator   where to look for CLIP's vocabulary when neither has one
     */
    public static StableDiffusion load(Path model, Optional<Path> configDir, Optional<Path> tokenizer,
                                       TokenizerLocator locator) {
        return load(model, configDir, tokenizer, locator, Placement.cpu());
    }

    /**
     * As {@link #load(Path, Optional, Optional, TokenizerLocator)}, onto {@code placement}'s device in its precision.
     */
    public static StableDiffusion load(Path model, Optional<Path> configDir, Optional<Path> tokenizer,
                                       TokenizerLocator locator, Placement placement) {
        try (ModelFiles files = ModelFiles.open(model, configDir)) {
            ClipTokenizer clip = locator.load(tokenizer.or(files::tokenizerDir), model);
            return of(model, clip, files.textEncoder(), files.unet(), files.vae(),
                    files.schedulerConfig().map(StableDiffusion::readJson), placement);
        }
    }

    /**
     * A model from its parts' tensors (each read strictly: a missing or unused tensor fails), such as fresh random
     * weights for a benchmark.
     *
     * @param path      what the model is called ({@link #name}: its last element)
     * @param scheduler the model's scheduler config; empty for SD 1.5's
     */
    public static StableDiffusion of(Path path, ClipTokenizer tokenizer, Component<TextEncoderConfig> textEncoder,
                                     Component<UNetConfig> unetPart, Component<VaeConfig> vaePart,
                                     Optional<JsonNode> scheduler) {
        return of(path, tokenizer, textEncoder, unetPart, vaePart, scheduler, Placement.cpu());
    }

    /** As {@link #of(Path, ClipTokenizer, Component, Component, Component, Optional)}, onto {@code placement}. */
    public static StableDiffusion of(Path path, ClipTokenizer tokenizer, Component<TextEncoderConfig> textEncoder,
                                     Component<UNetConfig> unetPart, Component<VaeConfig> vaePart,
                                     Optional<JsonNode> scheduler, Placement placement) {
        NDManager manager = placement.newManager();
        try {
            Weights textWeights = new Weights(textEncoder.tensors(), manager, placement.computeType());
            ClipTextModel text = new ClipTextModel(textWeights, textEncoder.config());
            textWeights.finish();
            Weights unetWeights = new Weights(unetPart.tensors(), manager, placement.computeType());
            UNet2DConditionModel unet = new UNet2DConditionModel(unetWeights, unetPart.config());
            unetWeights.finish();
            // float32 whatever the precision, as diffusers' force_upcast: SD's VAE overflows float16
            Weights vaeWeights = new Weights(vaePart.tensors(), manager, DataType.FLOAT32);
            AutoencoderKL vae = new AutoencoderKL(vaeWeights, vaePart.config());
            vaeWeights.finish();
            Map<String, NDArray> arrays = new LinkedHashMap<>();
            textWeights.tensors().forEach((key, array) -> arrays.put("text_encoder." + key, array));
            unetWeights.tensors().forEach((key, array) -> arrays.put("unet." + key, array));
            vaeWeights.tensors().forEach((key, array) -> arrays.put("vae." + key, array));
            return new StableDiffusion(path, placement, manager, tokenizer, text, unet, vae, scheduler, textWeights.layers(),
                    unetWeights.layers(), Collections.unmodifiableMap(arrays));
        } catch (RuntimeException e) {
            manager.close();
            throw e;
        }
    }

    public Path path() {
        return path;
    }

    /** The model's name as users refer to it: its file or folder name. */
    public String name() {
        String file = path.getFileName().toString();
        return file.endsWith(".safetensors") ? file.substring(0, file.length() - ".safetensors".length()) : file;
    }

    /** Where the weights live and what the model computes in. */
    public Placement placement() {
        return placement;
    }

    /** A new manager on the model's device, for one render's or training run's arrays. */
    public NDManager newManager() {
        return placement.newManager();
    }

    /**
     * Every weight array as loaded, by its part ({@code text_encoder.}, {@code unet.}, {@code vae.}) and key: where
     * they live and in what type is what {@link #placement} promised.
     */
    public Map<String, NDArray> weightArrays() {
        return weightArrays;
    }

    public ClipTokenizer tokenizer() {
        return tokenizer;
    }

    public ClipTextModel textModel() {
        return textModel;
    }

    public UNet2DConditionModel unet() {
        return unet;
    }

    public AutoencoderKL vae() {
        return vae;
    }

    /** The text encoder's linear layers by key path ({@code text_model.encoder.layers.0.self_attn.q_proj}), for LoRA. */
    public LayerIndex textEncoderLayers() {
        return textEncoderLayers;
    }

    /** The UNet's linear and convolution layers by key path ({@code down_blocks.0.attentions.0.proj_in}), for LoRA. */
    public LayerIndex unetLayers() {
        return unetLayers;
    }

    /**
     * The model's scheduler config loaded into {@code diffusersClass}, as diffusers'
     * {@code <class>.from_config(pipe.scheduler.config, **options)} does; SD 1.5's config if the model has none.
     */
    public SchedulerConfig schedulerConfig(String diffusersClass, Map<String, ?> options) {
        return schedulerConfig.map(json -> SchedulerConfig.fromConfig(json, diffusersClass, options))
                .orElseGet(() -> SchedulerConfig.sd15(diffusersClass, options));
    }

    /**
     * The schedule {@code sampler} runs over {@code steps} steps on this model: its diffusers scheduler class loaded
     * from the model's scheduler config, with its noise levels placed by {@code levels} where one is chosen.
     */
    public Schedule schedule(Sampler sampler, Optional<NoiseSchedule> levels, int steps) {
        SchedulerConfig config = schedulerConfig(sampler.diffusers().schedulerClass(), sampler.diffusers().options());
        return levels.map(l -> Schedule.of(config, steps, l)).orElseGet(() -> Schedule.of(config, steps));
    }

    /** What the UNet predicts, as the model's own scheduler config says ({@code prediction_type}); SD 1.5's epsilon without one. */
    public Prediction prediction() {
        SchedulerConfig own = schedulerConfig.map(SchedulerConfig::fromJson).orElseGet(SchedulerConfig::sd15);
        return Prediction.of(own.predictionType());
    }

    private static JsonNode readJson(Path file) {
        try {
            return new ObjectMapper().readTree(file.toFile());
        } catch (IOException e) {
            throw new ModelLoadException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /** Pixels per latent pixel along each side. */
    public int scaleFactor() {
        return vae.config().scaleFactor();
    }

    @Override
    public void close() {
        manager.close();
    }
}

package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.engine.model.LayerIndex;
import dev.diffarm.engine.model.ModelLoadException;
import java.io.IOException;
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
 * samplers start from. The weights live in the model's own manager until {@link #close}.
 */
public final class StableDiffusion implements AutoCloseable {
    private final Path path;
    private final NDManager manager;
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textModel;
    private final UNet2DConditionModel unet;
    private final AutoencoderKL vae;
    /** The model's own scheduler config; SD 1.5's when the model has none. */
    private final Optional<JsonNode> schedulerConfig;
    private final LayerIndex textEncoderLayers;
    private final LayerIndex unetLayers;

    private StableDiffusion(Path path, NDManager manager, ClipTokenizer tokenizer, ClipTextModel textModel,
                            UNet2DConditionModel unet, AutoencoderKL vae, Optional<JsonNode> schedulerConfig,
                            LayerIndex textEncoderLayers, LayerIndex unetLayers) {
        this.path = path;
        this.manager = manager;
        this.tokenizer = tokenizer;
        this.textModel = textModel;
        this.unet = unet;
        this.vae = vae;
        this.schedulerConfig = schedulerConfig;
        this.textEncoderLayers = textEncoderLayers;
        this.unetLayers = unetLayers;
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
        try (ModelFiles files = ModelFiles.open(model, configDir)) {
            ClipTokenizer clip = locator.load(tokenizer.or(files::tokenizerDir), model);
            return of(model, clip, files.textEncoder(), files.unet(), files.vae(),
                    files.schedulerConfig().map(StableDiffusion::readJson));
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
        NDManager manager = NDManager.newBaseManager();
        try {
            Weights textWeights = new Weights(textEncoder.tensors(), manager);
            ClipTextModel text = new ClipTextModel(textWeights, textEncoder.config());
            textWeights.finish();
            Weights unetWeights = new Weights(unetPart.tensors(), manager);
            UNet2DConditionModel unet = new UNet2DConditionModel(unetWeights, unetPart.config());
            unetWeights.finish();
            Weights vaeWeights = new Weights(vaePart.tensors(), manager);
            AutoencoderKL vae = new AutoencoderKL(vaeWeights, vaePart.config());
            vaeWeights.finish();
            return new StableDiffusion(path, manager, tokenizer, text, unet, vae, scheduler, textWeights.layers(),
                    unetWeights.layers());
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

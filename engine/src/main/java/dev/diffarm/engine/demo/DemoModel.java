package dev.diffarm.engine.demo;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.clip.ByteLevelVocabulary;
import dev.diffarm.engine.io.FileTrees;
import dev.diffarm.engine.model.ArchitectureShapes;
import dev.diffarm.engine.model.FreshWeights;
import dev.diffarm.engine.model.TensorSource;
import dev.diffarm.engine.model.TextEncoderConfig;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.VaeConfig;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A small SD 1.x-shaped model with fresh random weights, written as a diffusers folder, so that diffarm can
 * be run end to end on a machine without any checkpoint. Its images are abstract: it was never trained.
 */
public final class DemoModel {
    static final UNetConfig UNET = new UNetConfig(4, 4, List.of(32, 64), List.of("CrossAttnDownBlock2D", "DownBlock2D"),
            List.of("UpBlock2D", "CrossAttnUpBlock2D"), 1, List.of(4, 4), 64, 16, 1e-5, true, 0, 0, false);
    static final VaeConfig VAE = new VaeConfig(3, 3, 4, List.of(16, 32, 32), 1, 16, 0.18215);
    static final TextEncoderConfig TEXT = new TextEncoderConfig(ByteLevelVocabulary.SIZE, 64, 2, 4, 128, 77, 1e-5, true);
    private static final int PIXEL_VAE_MODEL_SEED = 20261206;
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private DemoModel() {
    }

    /** Writes the model into {@code dir} unless a complete one is already there; returns {@code dir}. */
    public static Path ensure(Path dir) throws IOException {
        return ensure(dir, VAE, Map.of(), false, (file, manager) -> weights(new FreshWeights(ArchitectureShapes.vae(VAE),
                1.0, "demo VAE"), file, manager));
    }

    /**
     * The same model with the hand-built {@link PixelVae} instead of a random one, so that its images show what its
     * UNet produces (the training demo's model); written into {@code dir} unless a complete one is there. Its UNet
     * starts as the residual path alone: the last layer of every residual branch (each ResNet block's second
     * convolution, each transformer's output projection) and the output convolution are 0, as DDPM's and ADM's UNets
     * initialise them, so that the UNet predicts 0 and training starts from a smooth function of its input rather than
     * from random noise (measured: a few times fewer steps to learn to denoise).
     *
     * @param scheduler settings of the scheduler's config that differ from the render demo's (diffusers' names)
     */
    public static Path ensureWithPixelVae(Path dir, Map<String, Object> scheduler) throws IOException {
        // The same random weights on every machine, so that the training demo's figures (and its test) repeat.
        Engine.getInstance().setRandomSeed(PIXEL_VAE_MODEL_SEED);
        return ensure(dir, PixelVae.CONFIG, scheduler, true, (file, manager) -> PixelVae.write(file));
    }

    /** Whether {@code key} is the last layer of a residual branch of the UNet, or its output convolution. */
    static boolean endsAResidualBranch(String key) {
        return key.matches("(.*\\.resnets\\.\\d+\\.conv2|.*\\.attentions\\.\\d+\\.proj_out|conv_out)\\.(weight|bias)");
    }

    /** Writes a VAE's weights file. */
    @FunctionalInterface
    private interface VaeWriter {
        void write(Path file, NDManager manager) throws IOException;
    }

    private static Path ensure(Path dir, VaeConfig vae, Map<String, Object> scheduler, boolean zeroResidualBranches,
                               VaeWriter vaeWeights) throws IOException {
        if (Files.isRegularFile(dir.resolve("model_index.json"))) {
            return dir;
        }
        Path partial = dir.resolveSibling(dir.getFileName() + ".partial");
        FileTrees.delete(partial);
        Files.createDirectories(partial);
        json(partial.resolve("unet/config.json"), unetConfig());
        json(partial.resolve("vae/config.json"), vaeConfig(vae));
        json(partial.resolve("text_encoder/config.json"), textConfig());
        json(partial.resolve("scheduler/scheduler_config.json"), schedulerConfig(scheduler));
        ByteLevelVocabulary.write(partial.resolve("tokenizer"));
        try (NDManager manager = NDManager.newBaseManager()) {
            TensorSource unet = new FreshWeights(ArchitectureShapes.unet(UNET), 0.6, "demo UNet");
            weights(zeroResidualBranches ? new ZeroedTensors(unet, DemoModel::endsAResidualBranch) : unet,
                    partial.resolve("unet/diffusion_pytorch_model.safetensors"), manager);
            vaeWeights.write(partial.resolve("vae/diffusion_pytorch_model.safetensors"), manager);
            weights(new FreshWeights(ArchitectureShapes.textEncoder(TEXT), 1.0, "demo text encoder"),
                    partial.resolve("text_encoder/model.safetensors"), manager);
        }
        json(partial.resolve("model_index.json"), Map.of("_class_name", "StableDiffusionPipeline",
                "_diffusers_version", "0.29.2", "_generated_by", "diffarm demo"));
        Files.move(partial, dir);
        return dir;
    }

    private static void weights(TensorSource source, Path file, NDManager manager) throws IOException {
        try (NDManager scope = manager.newSubManager()) {
            SafetensorsWriter writer = new SafetensorsWriter();
            for (String key : source.keys()) {
                writer.add(key, source.load(key, scope));
            }
            writer.write(file);
        }
    }

    private static void json(Path file, Object value) throws IOException {
        Files.createDirectories(file.getParent());
        JSON.writeValue(file.toFile(), value);
    }

    private static Map<String, Object> unetConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("_class_name", "UNet2DConditionModel");
        c.put("in_channels", UNET.inChannels());
        c.put("out_channels", UNET.outChannels());
        c.put("block_out_channels", UNET.blockOutChannels());
        c.put("down_block_types", UNET.downBlockTypes());
        c.put("up_block_types", UNET.upBlockTypes());
        c.put("layers_per_block", UNET.layersPerBlock());
        c.put("attention_head_dim", UNET.attentionHeads());
        c.put("cross_attention_dim", UNET.crossAttentionDim());
        c.put("norm_num_groups", UNET.normGroups());
        c.put("norm_eps", UNET.normEps());
        c.put("flip_sin_to_cos", UNET.flipSinToCos());
        c.put("freq_shift", UNET.freqShift());
        return c;
    }

    private static Map<String, Object> vaeConfig(VaeConfig vae) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("_class_name", "AutoencoderKL");
        c.put("in_channels", vae.inChannels());
        c.put("out_channels", vae.outChannels());
        c.put("latent_channels", vae.latentChannels());
        c.put("block_out_channels", vae.blockOutChannels());
        c.put("layers_per_block", vae.layersPerBlock());
        c.put("norm_num_groups", vae.normGroups());
        c.put("scaling_factor", vae.scalingFactor());
        return c;
    }

    private static Map<String, Object> textConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("CLIPTextModel"));
        c.put("vocab_size", TEXT.vocabSize());
        c.put("hidden_size", TEXT.hiddenSize());
        c.put("num_hidden_layers", TEXT.layers());
        c.put("num_attention_heads", TEXT.heads());
        c.put("intermediate_size", TEXT.intermediate());
        c.put("max_position_embeddings", TEXT.positions());
        c.put("layer_norm_eps", TEXT.layerNormEps());
        c.put("hidden_act", "quick_gelu");
        return c;
    }

    private static Map<String, Object> schedulerConfig(Map<String, Object> overrides) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("_class_name", "PNDMScheduler");
        c.put("beta_start", 0.00085);
        c.put("beta_end", 0.012);
        c.put("beta_schedule", "scaled_linear");
        c.put("num_train_timesteps", 1000);
        c.put("prediction_type", "epsilon");
        c.put("set_alpha_to_one", false);
        c.put("skip_prk_steps", true);
        c.put("steps_offset", 1);
        c.put("timestep_spacing", "leading");
        c.putAll(overrides);
        return c;
    }
}

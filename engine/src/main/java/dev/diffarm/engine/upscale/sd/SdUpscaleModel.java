package dev.diffarm.engine.upscale.sd;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.model.ConfigFiles;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.pipeline.StableDiffusion;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A loaded Stable Diffusion x4 upscaler: a diffusers {@code StableDiffusionUpscalePipeline} folder. Its text
 * encoder, UNet, VAE and scheduler load as any diffusers model's ({@link StableDiffusion}); what it adds is the
 * {@code low_res_scheduler} that noises the low-resolution image and {@code max_noise_level} from
 * {@code model_index.json}. Its UNet takes the latents and the noised image side by side (4 + 3 = 7 channels) and
 * the noise level as a class label.
 */
public final class SdUpscaleModel implements AutoCloseable {
    /** The {@code _class_name} of {@code model_index.json} that marks an SD x4 upscaler folder. */
    public static final String PIPELINE_CLASS = "StableDiffusionUpscalePipeline";
    /** diffusers' default {@code max_noise_level} when {@code model_index.json} does not give one. */
    static final int DEFAULT_MAX_NOISE_LEVEL = 350;
    private static final int IMAGE_CHANNELS = 3;

    private final StableDiffusion model;
    private final LowResNoise lowResNoise;
    private final int maxNoiseLevel;

    private SdUpscaleModel(StableDiffusion model, LowResNoise lowResNoise, int maxNoiseLevel) {
        this.model = model;
        this.lowResNoise = lowResNoise;
        this.maxNoiseLevel = maxNoiseLevel;
    }

    /** Whether {@code path} is a diffusers folder whose {@code model_index.json} names {@value #PIPELINE_CLASS}. */
    public static boolean isUpscaler(Path path) {
        Path index = path.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            return false;
        }
        return PIPELINE_CLASS.equals(ConfigFiles.read(index).path("_class_name").asText(""));
    }

    /**
     * Loads the upscaler folder {@code folder}.
     *
     * @param tokenizer a folder with {@code vocab.json} and {@code merges.txt}; else the model's, else CLIP's
     * @throws ModelLoadException if it is no {@value #PIPELINE_CLASS} folder, lacks {@code low_res_scheduler/}, or its
     *                            UNet does not take the latents, the image and a noise level
     */
    public static SdUpscaleModel load(Path folder, Optional<Path> tokenizer, TokenizerLocator locator) {
        Path index = folder.resolve("model_index.json");
        if (!Files.isRegularFile(index)) {
            throw new ModelLoadException("upscaler " + folder + " has no model_index.json: expected a diffusers "
                    + PIPELINE_CLASS + " folder");
        }
        JsonNode pipeline = ConfigFiles.read(index);
        String className = pipeline.path("_class_name").asText("");
        if (!PIPELINE_CLASS.equals(className)) {
            throw new ModelLoadException(index + " field _class_name = \"" + className + "\": expected \""
                    + PIPELINE_CLASS + "\"");
        }
        int maxNoiseLevel = pipeline.path("max_noise_level").asInt(DEFAULT_MAX_NOISE_LEVEL);
        Path lowResConfig = folder.resolve("low_res_scheduler").resolve("scheduler_config.json");
        if (!Files.isRegularFile(lowResConfig)) {
            throw new ModelLoadException("upscaler " + folder + " has no low_res_scheduler/scheduler_config.json");
        }
        LowResNoise lowResNoise;
        try {
            lowResNoise = LowResNoise.read(lowResConfig);
        } catch (IllegalArgumentException e) {
            throw new ModelLoadException(e.getMessage(), e);
        }
        StableDiffusion model = StableDiffusion.load(folder, Optional.empty(), tokenizer, locator);
        try {
            checkUnet(model, folder);
            return new SdUpscaleModel(model, lowResNoise, maxNoiseLevel);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    private static void checkUnet(StableDiffusion model, Path folder) {
        UNetConfig unet = model.unet().config();
        int latentChannels = model.vae().config().latentChannels();
        if (unet.inChannels() != latentChannels + IMAGE_CHANNELS) {
            throw new ModelLoadException(folder + "/unet/config.json field in_channels = " + unet.inChannels()
                    + ": expected " + (latentChannels + IMAGE_CHANNELS) + " (the VAE's " + latentChannels
                    + " latent channels and the 3 of the low-res image)");
        }
        if (unet.numClassEmbeds() <= 0) {
            throw new ModelLoadException(folder + "/unet/config.json field num_class_embeds = " + unet.numClassEmbeds()
                    + ": expected the number of noise levels the UNet embeds (1000 for SD x4)");
        }
    }

    /** The text encoder, UNet, VAE and sampling scheduler. */
    public StableDiffusion model() {
        return model;
    }

    LowResNoise lowResNoise() {
        return lowResNoise;
    }

    /** The highest noise level a request may ask for ({@code model_index.json}'s {@code max_noise_level}). */
    public int maxNoiseLevel() {
        return maxNoiseLevel;
    }

    /**
     * The highest noise level this upscaler runs: {@link #maxNoiseLevel()}, unless its UNet embeds or its
     * {@code low_res_scheduler} has fewer levels.
     */
    public int highestNoiseLevel() {
        return Math.min(maxNoiseLevel, Math.min(model.unet().config().numClassEmbeds(), lowResNoise.levels()) - 1);
    }

    /** The output is this many times the input along each side: the VAE's scale factor. */
    public int scale() {
        return model.scaleFactor();
    }

    @Override
    public void close() {
        model.close();
    }
}

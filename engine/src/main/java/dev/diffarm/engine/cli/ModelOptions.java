package dev.diffarm.engine.cli;

import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.pipeline.StableDiffusion;
import java.nio.file.Path;
import java.util.Optional;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** The options that say which model to load. */
final class ModelOptions {
    @Option(names = "--model", required = true, paramLabel = "PATH",
            description = "A diffusers folder (with model_index.json) or a single-file .safetensors checkpoint.")
    Path model;

    @Option(names = "--config", paramLabel = "DIR",
            description = "A diffusers folder whose unet/, vae/, text_encoder/ config.json describe the model "
                    + "(for checkpoints whose shape the tensors cannot tell).")
    Path config;

    @Option(names = "--tokenizer", paramLabel = "DIR",
            description = "A folder with CLIP's vocab.json and merges.txt. Default: the model's tokenizer/, "
                    + "else the HuggingFace cache's openai/clip-vit-large-patch14, else a one-time download.")
    Path tokenizer;

    @Mixin
    DeviceOptions deviceOptions;

    StableDiffusion load() {
        long start = System.nanoTime();
        Placement placement = deviceOptions.placement();
        StableDiffusion model = StableDiffusion.load(this.model, Optional.ofNullable(config),
                Optional.ofNullable(tokenizer), TokenizerLocator.fromEnvironment(), placement);
        System.err.printf("diffarm: loaded %s onto %s in %.1f s%n", this.model, placement,
                (System.nanoTime() - start) / 1e9);
        return model;
    }
}

package dev.diffarm.engine.cli;

import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.io.AtomicFile;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.train.data.Rgb8Image;
import dev.diffarm.engine.upscale.sd.SdUpscale;
import dev.diffarm.engine.upscale.sd.SdUpscaleModel;
import dev.diffarm.engine.upscale.sd.SdUpscaleRequest;
import dev.diffarm.engine.upscale.sd.SdUpscaleResult;
import dev.diffarm.engine.upscale.sd.SdUpscaler;
import java.io.IOException;
import java.nio.file.Path;
import java.util.function.Supplier;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The options of an SD x4 upscale ({@code upscale --upscaler DIR} where DIR is a diffusers
 * {@code StableDiffusionUpscalePipeline} folder): the prompt and render numbers, with diffusers' defaults for this
 * pipeline, and {@code --noise-level}. The command that mixes this in owns {@code --upscaler}, {@code --in},
 * {@code --out} and the plugins, and calls {@link #upscale} when {@link SdUpscaleModel#isUpscaler} says the
 * upscaler is such a folder.
 */
final class SdUpscaleOptions {
    @Mixin
    PromptOptions promptOptions;

    @Option(names = "--prompt", defaultValue = "", paramLabel = "TEXT",
            description = "SD x4 upscaler: what the picture shows. Default: none.")
    String prompt;

    @Option(names = "--negative", defaultValue = "", paramLabel = "TEXT",
            description = "SD x4 upscaler: what to steer away from.")
    String negative;

    @Option(names = "--sampler", defaultValue = "DDIM", paramLabel = "NAME",
            description = "SD x4 upscaler: sampler, as 'diffarm samplers' lists them; the upscaler's own scheduler "
                    + "config gives its noise levels. Default: ${DEFAULT-VALUE} (the upscaler's scheduler).")
    String sampler;

    @Option(names = "--steps", defaultValue = "75", paramLabel = "N",
            description = "SD x4 upscaler: sampling steps. Default: ${DEFAULT-VALUE} (diffusers').")
    int steps;

    @Option(names = "--cfg", defaultValue = "9.0", paramLabel = "X",
            description = "SD x4 upscaler: guidance scale. Default: ${DEFAULT-VALUE} (diffusers').")
    double cfg;

    @Option(names = "--seed", defaultValue = "-1", paramLabel = "S",
            description = "SD x4 upscaler: seed of torch.Generator('cpu').manual_seed; -1 picks one at random "
                    + "(the PNG's infotext records it).")
    long seed;

    @Option(names = "--noise-level", defaultValue = "" + SdUpscaleRequest.DEFAULT_NOISE_LEVEL, paramLabel = "N",
            description = "SD x4 upscaler: noise added to the picture before it is enlarged, 0 up to the model's "
                    + "max_noise_level (350 for stabilityai's): more lets it invent more detail. Default: ${DEFAULT-VALUE}.")
    int noiseLevel;

    @Option(names = "--latents-out", paramLabel = "FILE.safetensors",
            description = "SD x4 upscaler: also write the final latents (before the VAE) as float32 tensor 'latents'.")
    Path latentsOut;

    /**
     * Upscales the picture {@code in} with the SD x4 upscaler folder {@code upscaler} and writes the PNG {@code out}
     * (with its infotext) and, if asked, the latents; prints the files written.
     *
     * @param samplers the sampler plugins the command loaded
     */
    void upscale(Path upscaler, Path in, Path out, Supplier<SamplerRegistry> samplers) throws IOException {
        Rgb8Image picture = ImageFiles.read("--in", in);
        SdUpscaleRequest request = new SdUpscaleRequest(Picture.fromRgb8(picture.width(), picture.height(),
                picture.rgb()), prompt, negative, sampler, steps, cfg, Seeds.orRandom(seed), noiseLevel,
                promptOptions.emphasis());
        SdUpscale upscale = new SdUpscale(samplers, promptOptions.embeddings());
        long start = System.nanoTime();
        try (SdUpscaler model = SdUpscaler.load(upscaler, TokenizerLocator.fromEnvironment())) {
            System.err.printf("diffarm: loaded %s in %.1f s%n", upscaler, (System.nanoTime() - start) / 1e9);
            SdUpscaleResult result = model.upscale(upscale, request, new StepPrinter(System.err));
            AtomicFile.write(out, result.png());
            System.out.println(out);
            if (latentsOut != null) {
                new SafetensorsWriter().add("latents", result.latents(), result.latentShape()).write(latentsOut);
                System.out.println(latentsOut);
            }
        }
    }
}

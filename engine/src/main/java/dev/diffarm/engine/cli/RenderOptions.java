package dev.diffarm.engine.cli;

import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.pipeline.Generation;
import dev.diffarm.engine.pipeline.GenerationPlan;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * What every generating command shares ({@code render}, {@code img2img}, {@code inpaint}, {@code outpaint}): the
 * model, prompt, sampler and numbers of a {@link GenerationRequest}, the run through the {@link Generator}, and the
 * PNGs (and latents) it writes.
 */
final class RenderOptions {
    static final int DEFAULT_SIDE = 512;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    PromptOptions promptOptions;

    @Mixin
    LoraOptions loraOptions;

    @Mixin
    PluginOptions pluginOptions;

    @Option(names = "--prompt", required = true, paramLabel = "TEXT", description = "What to render.")
    String prompt;

    @Option(names = "--negative", defaultValue = "", paramLabel = "TEXT", description = "What to steer away from.")
    String negative;

    @Option(names = "--sampler", defaultValue = "Euler a", paramLabel = "NAME",
            description = "Sampler, as AUTOMATIC1111 names it, or its diffusers class or k-diffusion name, optionally "
                    + "followed by a schedule (DPM++ 2M Karras); 'diffarm samplers' lists them. Default: ${DEFAULT-VALUE}.")
    String sampler;

    @Option(names = "--schedule", paramLabel = "NAME",
            description = "Noise schedule: one 'diffarm samplers' lists (such as Karras), or 'default' for the model's "
                    + "own. Default: the one --sampler ends with, else the model's own.")
    String schedule;

    @Option(names = "--eta", paramLabel = "X",
            description = "Share of fresh noise per step, for samplers that add noise: DDIM (diffusers' eta) and the "
                    + "ancestral ones. Default: the sampler's own ('diffarm samplers' shows it).")
    Double eta;

    @Option(names = "--steps", defaultValue = "20", paramLabel = "N", description = "Sampling steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Option(names = "--cfg", defaultValue = "7.0", paramLabel = "X", description = "Guidance scale. Default: ${DEFAULT-VALUE}.")
    double cfg;

    @Option(names = "--seed", defaultValue = "-1", paramLabel = "S",
            description = "Seed of torch.Generator('cpu').manual_seed; -1 picks one at random (and prints it).")
    long seed;

    @Option(names = "--width", paramLabel = "W",
            description = "Width, a multiple of 8. Default: 512, or the init image's width where there is one.")
    Integer width;

    @Option(names = "--height", paramLabel = "H",
            description = "Height, a multiple of 8. Default: 512, or the init image's height where there is one.")
    Integer height;

    @Option(names = "--batch", defaultValue = "1", paramLabel = "N", description = "Images from the one seed. Default: ${DEFAULT-VALUE}.")
    int batch;

    @Option(names = "--clip-skip", defaultValue = "1", paramLabel = "N",
            description = "Text encoder layer counted from the end (AUTOMATIC1111's numbering). Default: ${DEFAULT-VALUE}.")
    int clipSkip;

    @Option(names = "--out", defaultValue = "diffarm.png", paramLabel = "FILE.png",
            description = "Output PNG; with --batch N, FILE-0.png .. FILE-(N-1).png. Default: ${DEFAULT-VALUE}.")
    Path out;

    @Option(names = "--latents-out", paramLabel = "FILE.safetensors",
            description = "Also write the final latents (before the VAE) as float32 tensor 'latents'.")
    Path latentsOut;

    /** The request of these options at their own size, or {@code defaultWidth} x {@code defaultHeight}. */
    GenerationRequest request(int defaultWidth, int defaultHeight) {
        int w = width == null ? defaultWidth : width;
        int h = height == null ? defaultHeight : height;
        if (w % 8 != 0 || h % 8 != 0) {
            throw new IllegalArgumentException("--width/--height " + w + "x" + h + ": expected multiples of 8");
        }
        long actualSeed = seed == -1 ? ThreadLocalRandom.current().nextLong(1L << 32) : seed;
        if (actualSeed < 0) {
            throw new IllegalArgumentException("--seed " + seed + ": expected -1 or a seed >= 0");
        }
        return new GenerationRequest(prompt, negative, sampler, Optional.ofNullable(schedule),
                eta == null ? OptionalDouble.empty() : OptionalDouble.of(eta), steps, cfg, actualSeed, w, h,
                batch, clipSkip, promptOptions.emphasis(), loraOptions.requests());
    }

    /** The request of these options at their own size, 512x512 by default. */
    GenerationRequest request() {
        return request(DEFAULT_SIDE, DEFAULT_SIDE);
    }

    /** Plans {@code request} (a bad one fails before the model loads), renders it and writes the outputs. */
    void render(GenerationRequest request) throws IOException {
        render(plugins -> request);
    }

    /** As {@link #render(GenerationRequest)}, for a request that needs the plugins (a hires upscaler plugin). */
    void render(Function<SamplerPlugins, GenerationRequest> requestWith) throws IOException {
        try (SamplerPlugins plugins = pluginOptions.open()) {
            GenerationRequest request = requestWith.apply(plugins);
            Generator generator = new Generator(plugins, promptOptions.embeddings(), loraOptions.dir());
            GenerationPlan plan = generator.plan(request);
            try (StableDiffusion model = modelOptions.load()) {
                Generation generation = plan.run(model, ModelHash.shortHash(model.path()), new StepPrinter(System.err));
                generation.warnings().forEach(warning -> System.err.println("diffarm: warning: " + warning));
                writeOutputs(generation, request.batch());
            }
        }
    }

    private void writeOutputs(Generation generation, int batchSize) throws IOException {
        for (int i = 0; i < generation.images().size(); i++) {
            Path file = batchSize == 1 ? out : OutputNames.indexed(out, i);
            Generation.Image image = generation.images().get(i);
            PngWriter.write(image.pixels(), image.infotext(), file);
            System.out.println(file);
        }
        if (latentsOut != null) {
            new SafetensorsWriter().add("latents", generation.latents(), generation.latentShape()).write(latentsOut);
            System.out.println(latentsOut);
        }
    }
}

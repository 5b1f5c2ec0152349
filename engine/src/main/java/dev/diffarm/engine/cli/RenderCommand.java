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
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "render", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Renders images from a prompt (txt2img). Each PNG carries AUTOMATIC1111's 'parameters' text.",
                "Prompts use AUTOMATIC1111's syntax: (emphasis), [less], (text:1.3), BREAK, [from:to:when], [a|b],"
                        + " embedding names; <lora:NAME:WEIGHT> fuses NAME.safetensors from --lora-dir."})
final class RenderCommand implements Callable<Integer> {
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

    @Option(names = "--width", defaultValue = "512", paramLabel = "W", description = "Width, a multiple of 8. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--height", defaultValue = "512", paramLabel = "H", description = "Height, a multiple of 8. Default: ${DEFAULT-VALUE}.")
    int height;

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

    @Override
    public Integer call() throws IOException {
        if (width % 8 != 0 || height % 8 != 0) {
            throw new IllegalArgumentException("--width/--height " + width + "x" + height + ": expected multiples of 8");
        }
        long actualSeed = seed == -1 ? ThreadLocalRandom.current().nextLong(1L << 32) : seed;
        if (actualSeed < 0) {
            throw new IllegalArgumentException("--seed " + seed + ": expected -1 or a seed >= 0");
        }
        GenerationRequest request = new GenerationRequest(prompt, negative, sampler, Optional.ofNullable(schedule),
                eta == null ? OptionalDouble.empty() : OptionalDouble.of(eta), steps, cfg, actualSeed, width, height,
                batch, clipSkip, promptOptions.emphasis(), loraOptions.requests());
        try (SamplerPlugins plugins = pluginOptions.open()) {
            Generator generator = new Generator(plugins, promptOptions.embeddings(), loraOptions.dir());
            GenerationPlan plan = generator.plan(request);
            try (StableDiffusion model = modelOptions.load()) {
                Generation generation = plan.run(model, ModelHash.shortHash(model.path()), new StepPrinter(System.err));
                generation.warnings().forEach(warning -> System.err.println("diffarm: warning: " + warning));
                writeOutputs(generation);
            }
        }
        return 0;
    }

    private void writeOutputs(Generation generation) throws IOException {
        for (int i = 0; i < generation.images().size(); i++) {
            Path file = batch == 1 ? out : OutputNames.indexed(out, i);
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

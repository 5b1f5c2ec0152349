package dev.diffarm.engine.cli;

import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.image.GenerationParameters;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.NamedHash;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.lora.ActiveLoras;
import dev.diffarm.engine.prompt.ExtraNetworkTags;
import dev.diffarm.engine.prompt.LoraTag;
import java.util.List;
import dev.diffarm.engine.pipeline.RenderRequest;
import dev.diffarm.engine.pipeline.Rendering;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.pipeline.TextToImage;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import dev.diffarm.engine.sampler.SamplerRegistry;
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
                        + " embedding names; <lora:...> tags are read but not applied yet."})
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
        RenderRequest request = new RenderRequest(prompt, negative, sampler, steps, cfg, actualSeed, width, height,
                batch, clipSkip, promptOptions.emphasis(), Optional.ofNullable(schedule),
                eta == null ? OptionalDouble.empty() : OptionalDouble.of(eta));
        EmbeddingLibrary embeddings = promptOptions.embeddings();
        List<LoraTag> promptLoras = ExtraNetworkTags.extract(prompt).loras();
        try (SamplerPlugins plugins = pluginOptions.open()) {
            SamplerRegistry samplers = plugins.registry();
            SamplerRegistry.Selection selection = samplers.resolve(request.sampler(), request.schedule());
            samplers.sampler(selection, request.eta());
            String samplerName = selection.name();
            try (StableDiffusion model = modelOptions.load(); ActiveLoras loras = loraOptions.activate(model, promptLoras)) {
                Rendering rendering = new TextToImage(model, () -> samplers, embeddings)
                        .render(request, new StepPrinter(System.err));
                writeOutputs(model, request, samplerName, rendering, loras);
            }
        }
        return 0;
    }

    private void writeOutputs(StableDiffusion model, RenderRequest request, String samplerName, Rendering rendering,
                              ActiveLoras loras) throws IOException {
        GenerationParameters generation = request.generationParameters(samplerName, ModelHash.shortHash(model.path()),
                        model.name())
                .withTextualInversionHashes(rendering.embeddings().stream()
                        .map(e -> new NamedHash(e.name(), e.file().shortHash())).toList());
        if (request.eta().isPresent()) {
            generation = generation.with("Eta", GenerationParameters.number(request.eta().getAsDouble()));
        }
        GenerationParameters withEta = generation;
        GenerationParameters parameters = loras.infotextHashes().map(h -> withEta.with("Lora hashes", h)).orElse(withEta);
        for (int i = 0; i < rendering.images().size(); i++) {
            Path file = batch == 1 ? out : OutputNames.indexed(out, i);
            GenerationParameters imageParameters = batch == 1 ? parameters
                    : parameters.with("Batch size", String.valueOf(batch)).with("Batch pos", String.valueOf(i));
            PngWriter.write(rendering.images().get(i), imageParameters.toInfotext(), file);
            System.out.println(file);
        }
        if (latentsOut != null) {
            new SafetensorsWriter().add("latents", rendering.latents(), rendering.latentShape()).write(latentsOut);
            System.out.println(latentsOut);
        }
    }
}

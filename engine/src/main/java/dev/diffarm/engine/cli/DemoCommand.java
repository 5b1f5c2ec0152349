package dev.diffarm.engine.cli;

import dev.diffarm.engine.demo.DemoModel;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.pipeline.RenderRequest;
import dev.diffarm.engine.pipeline.Rendering;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.pipeline.TextToImage;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.api.Progress;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

@Command(name = "demo", mixinStandardHelpOptions = true,
        description = {"Generates a small random-weight model (once), renders a few images with it and says where "
                + "they are. Needs no checkpoint and no network; the images are abstract, since the model is untrained."})
final class DemoCommand implements Callable<Integer> {
    private static final List<String> PROMPTS = List.of("a painting of a lighthouse at dawn", "a red fox in the snow");
    private static final List<String> SAMPLERS = List.of("Euler a", "DDIM");

    @Option(names = "--dir", defaultValue = ".diffarm/demo", paramLabel = "DIR",
            description = "Where the demo model and images go. Default: ${DEFAULT-VALUE}.")
    Path dir;

    @Option(names = "--steps", defaultValue = "20", paramLabel = "N", description = "Sampling steps. Default: ${DEFAULT-VALUE}.")
    int steps;

    @Mixin
    PluginOptions pluginOptions;

    @Override
    public Integer call() throws IOException {
        Path modelDir = DemoModel.ensure(dir.resolve("model"));
        Path outDir = Files.createDirectories(dir.resolve("images"));
        try (SamplerPlugins plugins = pluginOptions.open();
             StableDiffusion model = StableDiffusion.load(modelDir, Optional.empty(), Optional.empty(),
                     TokenizerLocator.fromEnvironment())) {
            TextToImage pipeline = new TextToImage(model, plugins);
            String hash = ModelHash.shortHash(modelDir);
            int n = 0;
            for (String prompt : PROMPTS) {
                for (String sampler : SAMPLERS) {
                    long seed = 1000 + n;
                    RenderRequest request = new RenderRequest(prompt, "blurry", sampler, steps, 5.0, seed, 128, 128, 1, 1,
                            Emphasis.ORIGINAL);
                    long start = System.nanoTime();
                    Rendering rendering = pipeline.render(request, Progress.NONE);
                    String text = request.generationParameters(sampler, hash, model.name()).toInfotext();
                    Path file = outDir.resolve(String.format("demo-%d-%s.png", n, sampler.replace(' ', '_')));
                    PngWriter.write(rendering.images().get(0), text, file);
                    System.out.printf("%s  (%s, %d steps, seed %d, %.1f s)%n", file, sampler, steps, seed,
                            (System.nanoTime() - start) / 1e9);
                    n++;
                }
            }
            System.out.println("diffarm demo: " + n + " images in " + outDir.toAbsolutePath()
                    + " (model: " + modelDir.toAbsolutePath() + ")");
        }
        return 0;
    }
}

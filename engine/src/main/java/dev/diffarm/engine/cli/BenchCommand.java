package dev.diffarm.engine.cli;

import dev.diffarm.engine.bench.HiresBenchmark;
import dev.diffarm.engine.bench.LoraBenchmark;
import dev.diffarm.engine.bench.ModelBenchmark;
import dev.diffarm.engine.bench.TrainBenchmark;
import dev.diffarm.engine.bench.TrainMemoryBenchmark;
import dev.diffarm.engine.bench.UpscaleBenchmark;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.demo.DemoModel;
import dev.diffarm.engine.io.FileTrees;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.plugins.SamplerPlugins;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Times the full-size model on random weights: one classifier-free-guidance UNet step "
                + "(batch 2) and one VAE decode, on --device in --precision. Prints key=value lines; unet_ms_per_step "
                + "and vae_decode_ms are medians, it_per_s sampling steps per second.",
                "With --lora: times switching a random LoRA in and out of the UNet and text encoder (fuse and "
                        + "restore), on SD 1.5 with random weights or on --model.",
                "With --train lora: times LoRA training steps (train_ms_per_step) beside one inference UNet pass.",
                "With --train lora|textual-inversion --memory-every N --model M --data DIR: trains M on DIR for --steps "
                        + "steps and prints the resident set, heap and live NDArrays every N steps, then a verdict "
                        + "(RSS growth from step 1,000 to the end; live arrays constant or not).",
                "With --upscale esrgan: times an x4 upscale of a --width x --height picture by a RealESRGAN_x4plus-sized "
                        + "RRDBNet on random weights, tiled as A1111 (192, overlap 8) and untiled.",
                "With --hires: times a txt2img render (Euler a, --steps steps, --width x --height) with and without "
                        + "a hires pass (--hires-scale 2, Latent, denoising strength 0.7) and prints the overhead; on "
                        + "the demo model (--arch demo, the default here), SD 1.5 on random weights (--arch sd15) or "
                        + "--model."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--arch", defaultValue = "sd15", description = "Architecture to build (sd15; with --hires also "
            + "demo, the demo model). Default: ${DEFAULT-VALUE}; with --hires demo.")
    String arch;

    @Option(names = "--width", defaultValue = "512", description = "Image width in pixels (with --hires: the first "
            + "pass's). Default: ${DEFAULT-VALUE}; with --hires 128.")
    int width;

    @Option(names = "--height", defaultValue = "512", description = "Image height in pixels. Default: ${DEFAULT-VALUE}; "
            + "with --hires 128.")
    int height;

    @Option(names = "--iters", defaultValue = "3", description = "Timed iterations after one warm-up. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Option(names = "--lora", description = "Time LoRA switches instead of the model.")
    boolean lora;

    @Option(names = "--train", paramLabel = "METHOD",
            description = "Time training steps of this fine-tune method (lora: batch 1, a LoRA on every attention projection).")
    String train;

    @Option(names = "--gradient-checkpointing",
            description = "With --train lora: recompute the UNet's steps in the backward pass instead of keeping their "
                    + "activations (compare train_peak_rss_mb with and without).")
    boolean gradientCheckpointing;

    @Option(names = "--rank", defaultValue = "16", description = "With --lora or --train lora: the LoRA's rank. Default: ${DEFAULT-VALUE}.")
    int rank;

    @Option(names = "--model", paramLabel = "PATH",
            description = "With --lora: a diffusers folder or single file to use instead of SD 1.5 on random weights; "
                    + "with --memory-every: the model to train.")
    Path model;

    @Option(names = "--config", paramLabel = "DIR", description = "With --model: the model's diffusers config folder.")
    Path config;

    @Option(names = "--memory-every", paramLabel = "N",
            description = "With --train: train --model on --data and sample memory every N steps (default: off).")
    Integer memoryEvery;

    @Option(names = "--steps", defaultValue = "10000", paramLabel = "N",
            description = "With --memory-every: training steps. Default: ${DEFAULT-VALUE}. With --hires: sampling steps "
                    + "of each pass, default 20.")
    int steps;

    @Option(names = "--hires", description = "Time the hires fix's overhead instead of the model.")
    boolean hires;

    @Option(names = "--data", paramLabel = "DIR", description = "With --memory-every: the captioned images to train on.")
    Path data;

    @Option(names = "--upscale", paramLabel = "ARCH", description = "Time an upscaler network (esrgan).")
    String upscale;

    @Mixin
    PluginOptions pluginOptions;

    @Mixin
    DeviceOptions deviceOptions;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() throws java.io.IOException {
        if (memoryEvery != null) {
            return trainMemory();
        }
        if (upscale != null) {
            if (!upscale.equals("esrgan")) {
                throw new IllegalArgumentException("--upscale " + upscale + ": expected esrgan");
            }
            try (SamplerPlugins plugins = pluginOptions.open()) {
                new UpscaleBenchmark(width, height, iterations, System.out).run(plugins.upscalers());
            }
            return 0;
        }
        if (hires) {
            return hiresOverhead();
        }
        if (lora) {
            new LoraBenchmark(Optional.ofNullable(model), Optional.ofNullable(config), rank, iterations, System.out).run();
            return 0;
        }
        if (!arch.equals("sd15")) {
            throw new IllegalArgumentException("--arch " + arch + ": expected sd15");
        }
        if (train != null) {
            if (!train.equals("lora")) {
                throw new IllegalArgumentException("--train " + train + ": expected lora");
            }
            new TrainBenchmark(width, height, rank, iterations, gradientCheckpointing, System.out).run();
            return 0;
        }
        new ModelBenchmark(width, height, iterations, System.out, deviceOptions.placement()).run();
        return 0;
    }

    private int trainMemory() throws java.io.IOException {
        if (train == null || model == null || data == null) {
            throw new IllegalArgumentException("--memory-every: needs --train METHOD, --model PATH and --data DIR");
        }
        TrainMemoryBenchmark bench = new TrainMemoryBenchmark(train, data, steps, memoryEvery, System.out);
        try (SamplerPlugins plugins = pluginOptions.open();
             StableDiffusion sd = StableDiffusion.load(model, Optional.ofNullable(config), Optional.empty(),
                     TokenizerLocator.fromEnvironment())) {
            bench.run(sd, plugins.fineTuneMethods());
        }
        return 0;
    }

    private int hiresOverhead() throws java.io.IOException {
        HiresBenchmark bench = new HiresBenchmark(given("--width") ? width : 128, given("--height") ? height : 128,
                given("--steps") ? steps : 20, iterations, System.out);
        Path scratch = Files.createTempDirectory("diffarm-bench-");
        try (SamplerPlugins plugins = pluginOptions.open();
             StableDiffusion sd = hiresModel(scratch)) {
            bench.run(sd, plugins);
        } finally {
            FileTrees.delete(scratch);
        }
        return 0;
    }

    /** {@code --model}, else the demo model written into {@code scratch} or SD 1.5 on random weights, as --arch says. */
    private StableDiffusion hiresModel(Path scratch) throws java.io.IOException {
        if (model != null) {
            return StableDiffusion.load(model, Optional.ofNullable(config), Optional.empty(),
                    TokenizerLocator.fromEnvironment());
        }
        String architecture = given("--arch") ? arch : "demo";
        return switch (architecture) {
            case "demo" -> StableDiffusion.load(DemoModel.ensure(scratch.resolve("demo")), Optional.empty(),
                    Optional.empty(), TokenizerLocator.fromEnvironment());
            case "sd15" -> HiresBenchmark.sd15Random(scratch);
            default -> throw new IllegalArgumentException("--arch " + architecture + ": expected demo or sd15 with "
                    + "--hires");
        };
    }

    /** Whether the user gave {@code option}: --hires has defaults of its own for the options it shares. */
    private boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }
}

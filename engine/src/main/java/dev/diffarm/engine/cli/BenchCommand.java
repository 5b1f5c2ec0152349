package dev.diffarm.engine.cli;

import dev.diffarm.engine.bench.ModelBenchmark;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "bench", mixinStandardHelpOptions = true,
        description = {"Times the full-size model on random weights: one classifier-free-guidance UNet step "
                + "(batch 2) and one VAE decode. Prints key=value lines; unet_ms_per_step and vae_decode_ms are medians."})
final class BenchCommand implements Callable<Integer> {
    @Option(names = "--arch", defaultValue = "sd15", description = "Architecture to build (only sd15 so far). Default: ${DEFAULT-VALUE}.")
    String arch;

    @Option(names = "--width", defaultValue = "512", description = "Image width in pixels. Default: ${DEFAULT-VALUE}.")
    int width;

    @Option(names = "--height", defaultValue = "512", description = "Image height in pixels. Default: ${DEFAULT-VALUE}.")
    int height;

    @Option(names = "--iters", defaultValue = "3", description = "Timed iterations after one warm-up. Default: ${DEFAULT-VALUE}.")
    int iterations;

    @Override
    public Integer call() {
        if (!arch.equals("sd15")) {
            throw new IllegalArgumentException("--arch " + arch + ": expected sd15");
        }
        new ModelBenchmark(width, height, iterations, System.out).run();
        return 0;
    }
}

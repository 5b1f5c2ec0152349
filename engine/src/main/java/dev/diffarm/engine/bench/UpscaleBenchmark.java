package dev.diffarm.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;
import dev.diffarm.api.upscale.Tiling;
import dev.diffarm.api.upscale.UpscalerWeights;
import dev.diffarm.engine.upscale.ImageUpscaler;
import dev.diffarm.engine.upscale.Upscalers;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Times an ESRGAN x4 upscale of a random picture with a network the size of RealESRGAN_x4plus (64 features, 23
 * blocks, growth 32: 16.7 M parameters) on random weights, through the upscaler plugins as the CLI runs it: tiled as
 * A1111 tiles by default (192, overlap 8) and untiled. Prints {@code key=value} lines; times are medians.
 *
 * @param width      the picture's width in pixels
 * @param height     its height
 * @param iterations timed runs of each (no warm-up: one run of a 512x512 picture takes minutes on a CPU)
 * @param out        where the lines go
 */
public record UpscaleBenchmark(int width, int height, int iterations, PrintStream out) {
    private static final int FEATURES = 64;
    private static final int BLOCKS = 23;
    private static final int GROW = 32;

    /** @throws IllegalArgumentException for a size or an iteration count below 1 */
    public UpscaleBenchmark {
        if (width < 1 || height < 1 || iterations < 1) {
            throw new IllegalArgumentException("bench --upscale: --width " + width + ", --height " + height
                    + ", --iters " + iterations + ": expected at least 1 each");
        }
    }

    /** Runs the untiled and the A1111-tiled upscale on the ESRGAN architecture of {@code upscalers}. */
    public void run(Upscalers upscalers) {
        Picture picture = randomPicture();
        out.printf(Locale.ROOT, "upscale_input=%dx%d%n", width, height);
        for (Tiling tiling : new Tiling[] {Tiling.A1111, Tiling.NONE}) {
            NDManager manager = NDManager.newBaseManager();
            try (ImageUpscaler upscaler = upscalers.open("random RealESRGAN_x4plus", weights(manager), manager, tiling)) {
                String key = tiling.isNone() ? "untiled" : "tiled_" + tiling.tile() + "_" + tiling.overlap();
                if (!tiling.isNone()) {
                    out.println("upscale_model=" + upscaler);
                }
                long[] times = new long[iterations];
                Picture result = null;
                for (int i = 0; i < iterations; i++) {
                    long start = System.nanoTime();
                    result = upscaler.upscale(picture, 4, Progress.NONE);
                    times[i] = System.nanoTime() - start;
                }
                Arrays.sort(times);
                out.printf(Locale.ROOT, "upscale_%s_ms=%.0f%n", key, times[iterations / 2] / 1e6);
                out.printf(Locale.ROOT, "upscale_output=%dx%d%n", result.width(), result.height());
            }
        }
    }

    private Picture randomPicture() {
        SplittableRandom random = new SplittableRandom(1);
        float[] chw = new float[3 * width * height];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = random.nextInt(256) / 255f;
        }
        return new Picture(width, height, chw);
    }

    /** BasicSR's keys, each conv Kaiming-normal scaled by 0.1 as BasicSR's {@code default_init_weights} does. */
    private static UpscalerWeights weights(NDManager manager) {
        SplittableRandom random = new SplittableRandom(2);
        Map<String, NDArray> tensors = new LinkedHashMap<>();
        conv(tensors, manager, random, "conv_first", 3, FEATURES);
        for (int n = 0; n < BLOCKS; n++) {
            for (int k = 1; k <= 3; k++) {
                for (int j = 1; j <= 5; j++) {
                    conv(tensors, manager, random, "body." + n + ".rdb" + k + ".conv" + j, FEATURES + (j - 1) * GROW,
                            j == 5 ? FEATURES : GROW);
                }
            }
        }
        for (String name : new String[] {"conv_body", "conv_up1", "conv_up2", "conv_hr"}) {
            conv(tensors, manager, random, name, FEATURES, FEATURES);
        }
        conv(tensors, manager, random, "conv_last", FEATURES, 3);
        return new UpscalerWeights("random-RealESRGAN_x4plus", tensors, Map.of());
    }

    private static void conv(Map<String, NDArray> tensors, NDManager manager, SplittableRandom random, String name,
                             int in, int out) {
        float std = (float) (0.1 * Math.sqrt(2.0 / (in * 9)));
        float[] weight = new float[out * in * 9];
        for (int i = 0; i < weight.length; i++) {
            weight[i] = (float) gaussian(random) * std;
        }
        tensors.put(name + ".weight", manager.create(weight, new Shape(out, in, 3, 3)));
        tensors.put(name + ".bias", manager.zeros(new Shape(out)));
    }

    private static double gaussian(SplittableRandom random) {
        double u = 1 - random.nextDouble();
        return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random.nextDouble());
    }
}

package dev.diffarm.engine.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.clip.ClipTextModel;
import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.model.ArchitectureShapes;
import dev.diffarm.engine.model.FreshWeights;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.VaeConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import dev.diffarm.engine.vae.AutoencoderKL;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.function.Supplier;

/**
 * Times the full-size SD 1.5 models on fresh random weights — the text encoder (a batch of 2 prompts), the UNet
 * (one classifier-free-guidance step: batch 2) and the VAE decoder — and prints the medians as {@code key=value}
 * lines that scripts can compare, then the process's peak resident memory, which covers every model of a render
 * and its largest activations. The models are placed as a render's are ({@link Placement}: the text encoder and UNet
 * in its precision, the VAE in float32); {@code it_per_s} is sampling steps per second, one step being the
 * classifier-free-guidance UNet pass (what A1111 and diffusers report as it/s).
 */
public final class ModelBenchmark {
    private final int width;
    private final int height;
    private final int iterations;
    private final PrintStream out;
    private final Placement placement;

    /** On the CPU in float32. */
    public ModelBenchmark(int width, int height, int iterations, PrintStream out) {
        this(width, height, iterations, out, Placement.cpu());
    }

    public ModelBenchmark(int width, int height, int iterations, PrintStream out, Placement placement) {
        requireImageSize(width, height);
        if (iterations < 1) {
            throw new IllegalArgumentException("bench iterations " + iterations + ": expected at least 1");
        }
        this.width = width;
        this.height = height;
        this.iterations = iterations;
        this.out = out;
        this.placement = placement;
    }

    public void run() {
        UNetConfig unetConfig = Sd15Architecture.unet();
        VaeConfig vaeConfig = Sd15Architecture.vae();
        int factor = vaeConfig.scaleFactor();
        long h = height / factor;
        long w = width / factor;
        out.printf("arch=sd15 width=%d height=%d latent=%dx%d iters=%d threads=%d device=%s precision=%s%n", width,
                height, w, h, iterations, Runtime.getRuntime().availableProcessors(), Placement.name(placement.device()),
                placement.precision());
        DataType compute = placement.computeType();
        try (NDManager manager = placement.newManager()) {
            long t0 = System.nanoTime();
            UNet2DConditionModel unet = new UNet2DConditionModel(new Weights(new FreshWeights(
                    ArchitectureShapes.unet(unetConfig), 1.0, "SD 1.5 UNet"), manager, compute), unetConfig);
            ClipTextModel text = new ClipTextModel(new Weights(new FreshWeights(
                    ArchitectureShapes.textEncoder(Sd15Architecture.textEncoder()), 1.0, "CLIP ViT-L/14 text"), manager,
                    compute), Sd15Architecture.textEncoder());
            AutoencoderKL vae = new AutoencoderKL(new Weights(new FreshWeights(
                    ArchitectureShapes.vae(vaeConfig), 1.0, "SD 1.5 VAE"), manager, DataType.FLOAT32), vaeConfig);
            out.printf("weights_init_ms=%.0f%n", (System.nanoTime() - t0) / 1e6);
            NDArray ids = manager.arange(0, 2 * Sd15Architecture.TEXT_TOKENS, 1, DataType.INT64)
                    .reshape(2, Sd15Architecture.TEXT_TOKENS);
            double textMs = median("text_encode", () -> text.encode(ids, 1));
            NDArray latents = manager.randomNormal(new Shape(2, 4, h, w));
            NDArray context = manager.randomNormal(new Shape(2, Sd15Architecture.TEXT_TOKENS, Sd15Architecture.TEXT_WIDTH));
            NDArray latent = manager.randomNormal(new Shape(1, 4, h, w));
            double unetMs = median("unet", () -> unet.forward(latents, 500f, context));
            double vaeMs = median("vae_decode", () -> vae.decode(latent));
            out.printf("text_encode_ms=%.1f%n", textMs);
            out.printf("unet_ms_per_step=%.1f%n", unetMs);
            out.printf("it_per_s=%.2f%n", 1000 / unetMs);
            out.printf("vae_decode_ms=%.1f%n", vaeMs);
            out.printf("peak_rss_mb=%d%n", ProcessMemory.peakResidentMegabytes());
        }
    }

    /** Refuses an image size that is not positive multiples of 8, as every benchmark of the full-size model does. */
    static void requireImageSize(int width, int height) {
        if (width % 8 != 0 || height % 8 != 0 || width <= 0 || height <= 0) {
            throw new IllegalArgumentException("bench size " + width + "x" + height + ": expected positive multiples of 8");
        }
    }

    /** One untimed warm-up, then the median of {@code iterations} timed runs, each in its own scope. */
    private double median(String what, Supplier<NDArray> work) {
        double[] ms = new double[iterations];
        for (int i = -1; i < iterations; i++) {
            try (NDScope scope = new NDScope()) {
                long start = System.nanoTime();
                NDArray result = work.get();
                result.toFloatArray();
                double elapsed = (System.nanoTime() - start) / 1e6;
                if (i >= 0) {
                    ms[i] = elapsed;
                    out.printf("%s_iter%d_ms=%.1f%n", what, i, elapsed);
                }
            }
        }
        Arrays.sort(ms);
        return iterations % 2 == 1 ? ms[iterations / 2] : (ms[iterations / 2 - 1] + ms[iterations / 2]) / 2;
    }
}

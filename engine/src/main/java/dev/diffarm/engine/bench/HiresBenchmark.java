package dev.diffarm.engine.bench;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.clip.ByteLevelVocabulary;
import dev.diffarm.engine.clip.ClipTokenizer;
import dev.diffarm.engine.io.FileTrees;
import dev.diffarm.engine.model.ArchitectureShapes;
import dev.diffarm.engine.model.FreshWeights;
import dev.diffarm.engine.model.ModelFiles.Component;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.pipeline.HiresFix;
import dev.diffarm.engine.pipeline.LatentUpscaler;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.pipeline.StepsRule;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.sampler.SamplerRegistry;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Supplier;

/**
 * What AUTOMATIC1111's hires fix costs: the same txt2img render (prompt, seed, sampler, steps) timed without and with
 * a hires pass ({@code --hires-scale 2}, the {@code Latent} upscaler, hires steps as the first pass's, denoising
 * strength 0.7, A1111's step rule), through the {@link Generator} a render uses, VAE decode included. Each iteration
 * times one render of each, alternately, after one untimed pair. Prints {@code key=value} lines: each render's time,
 * the medians, and the overhead of the hires render over the plain one.
 */
public final class HiresBenchmark {
    static final String SAMPLER = "Euler a";
    static final double SCALE = 2;
    static final double DENOISING_STRENGTH = 0.7;
    private static final String PROMPT = "a painting of a cat in the snow";
    private static final long SEED = 1;
    private static final double CFG = 7;

    private final int width;
    private final int height;
    private final int steps;
    private final int iterations;
    private final PrintStream out;

    /**
     * @param width  the first pass's width in pixels; the hires pass renders at twice it
     * @param height the first pass's height
     * @param steps  sampling steps of the first pass, and of the hires pass
     */
    public HiresBenchmark(int width, int height, int steps, int iterations, PrintStream out) {
        ModelBenchmark.requireImageSize(width, height);
        if (steps < 1 || steps > GenerationRequest.MAX_STEPS) {
            throw new IllegalArgumentException("bench steps " + steps + ": expected 1.." + GenerationRequest.MAX_STEPS);
        }
        if (iterations < 1) {
            throw new IllegalArgumentException("bench iterations " + iterations + ": expected at least 1");
        }
        this.width = width;
        this.height = height;
        this.steps = steps;
        this.iterations = iterations;
        this.out = out;
    }

    /** Times the renders on {@code model} with the samplers of {@code samplers}. */
    public void run(StableDiffusion model, Supplier<SamplerRegistry> samplers) throws IOException {
        GenerationRequest base = new GenerationRequest(PROMPT, "", SAMPLER, Optional.empty(), OptionalDouble.empty(),
                steps, CFG, SEED, width, height, 1, 1, Emphasis.ORIGINAL, List.of());
        HiresFix hires = new HiresFix(SCALE, LatentUpscaler.named("Latent"), 0, DENOISING_STRENGTH, StepsRule.A1111);
        GenerationRequest withHires = base.withHires(Optional.of(hires));
        Generator generator = new Generator(samplers);
        out.printf("model=%s sampler=%s steps=%d base=%dx%d hires=%dx%d hires_scale=%s hires_upscaler=Latent "
                        + "denoising_strength=%s hires_steps_rule=a1111 iters=%d threads=%d%n", model.name(), SAMPLER,
                steps, width, height, (int) (width * SCALE), (int) (height * SCALE), SCALE, DENOISING_STRENGTH,
                iterations, Runtime.getRuntime().availableProcessors());
        double[] baseMs = new double[iterations];
        double[] hiresMs = new double[iterations];
        for (int i = -1; i < iterations; i++) {
            double plain = time(generator, model, base);
            double fixed = time(generator, model, withHires);
            if (i >= 0) {
                baseMs[i] = plain;
                hiresMs[i] = fixed;
                out.printf("base_iter%d_ms=%.1f hires_iter%d_ms=%.1f%n", i, plain, i, fixed);
            }
        }
        double baseMedian = Median.of(baseMs);
        double hiresMedian = Median.of(hiresMs);
        out.printf("base_ms=%.1f%n", baseMedian);
        out.printf("hires_ms=%.1f%n", hiresMedian);
        out.printf("hires_overhead_ms=%.1f%n", hiresMedian - baseMedian);
        out.printf("hires_overhead_ratio=%.2f%n", hiresMedian / baseMedian);
        out.printf("peak_rss_mb=%d%n", ProcessMemory.peakResidentMegabytes());
    }

    private static double time(Generator generator, StableDiffusion model, GenerationRequest request)
            throws IOException {
        long start = System.nanoTime();
        generator.generate(model, "0000000000", request, Progress.NONE);
        return (System.nanoTime() - start) / 1e6;
    }

    /**
     * Stable Diffusion 1.5's architecture on fresh random weights, with the byte-level tokenizer (any prompt
     * tokenizes; the ids fall inside CLIP's vocabulary, which is all random weights need).
     *
     * @param scratch an empty folder for the tokenizer's files, read before this returns
     */
    public static StableDiffusion sd15Random(Path scratch) throws IOException {
        Path tokenizer = scratch.resolve("tokenizer");
        ByteLevelVocabulary.write(tokenizer);
        try {
            return StableDiffusion.of(Path.of("sd15-random"), ClipTokenizer.load(tokenizer),
                    new Component<>(new FreshWeights(ArchitectureShapes.textEncoder(Sd15Architecture.textEncoder()),
                            1.0, "CLIP ViT-L/14 text"), Sd15Architecture.textEncoder()),
                    new Component<>(new FreshWeights(ArchitectureShapes.unet(Sd15Architecture.unet()), 1.0,
                            "SD 1.5 UNet"), Sd15Architecture.unet()),
                    new Component<>(new FreshWeights(ArchitectureShapes.vae(Sd15Architecture.vae()), 1.0,
                            "SD 1.5 VAE"), Sd15Architecture.vae()),
                    Optional.empty());
        } finally {
            FileTrees.delete(tokenizer);
        }
    }
}

package dev.diffarm.engine.bench;

import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.train.FineTuneMethods;
import dev.diffarm.engine.train.FineTuneRequest;
import dev.diffarm.engine.train.FineTuneRun;
import dev.diffarm.engine.train.LrSchedule;
import dev.diffarm.engine.train.NoiseObjective;
import dev.diffarm.engine.train.TrainingSettings;
import dev.diffarm.engine.train.data.KohyaDataOptions;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Trains a model on a folder of captioned images for many steps through {@link FineTuneRun}, as {@code diffarm train}
 * does, and prints every {@code every} steps the resident set (VmRSS), the JVM heap in use and the live NDArrays, then
 * a {@link MemoryTrend} verdict: memory must stay flat however long a run is. Batch 1, lr 1e-4 constant, shuffled
 * data, seed 42; lora: rank 4 on kohya's default modules; textual-inversion: a one-vector token from {@code person}.
 */
public final class TrainMemoryBenchmark {
    private static final Map<String, Map<String, String>> METHOD_OPTIONS = Map.of(
            "lora", Map.of("network-dim", "4", "network-alpha", "1"),
            "textual-inversion", Map.of("token", "<memflat>", "init-token", "person", "num-vectors", "1"));

    private final String method;
    private final Path data;
    private final int steps;
    private final int every;
    private final PrintStream out;

    public TrainMemoryBenchmark(String method, Path data, int steps, int every, PrintStream out) {
        if (!METHOD_OPTIONS.containsKey(method)) {
            throw new IllegalArgumentException("--train " + method + ": expected one of " + METHOD_OPTIONS.keySet()
                    + " with --memory-every");
        }
        if (every < 1 || steps < 2 * every) {
            throw new IllegalArgumentException("--steps " + steps + " --memory-every " + every
                    + ": expected at least 2 samples (steps >= 2 x memory-every >= 2)");
        }
        this.method = method;
        this.data = data;
        this.steps = steps;
        this.every = every;
        this.out = out;
    }

    /** Trains and prints; returns the trend of the samples. */
    public MemoryTrend run(StableDiffusion model, FineTuneMethods methods) throws IOException {
        TrainingSettings settings = new TrainingSettings(1e-4, LrSchedule.CONSTANT, 0, steps, 1, 1, 1.0, 42, true,
                NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(), 0);
        Path folder = Files.createTempDirectory("diffarm-train-memory");
        Path result = folder.resolve("bench.safetensors");
        FineTuneRequest request = new FineTuneRequest(method, new MethodOptions(METHOD_OPTIONS.get(method)), data,
                Optional.empty(), Optional.empty(), settings, result, 0, false, Optional.empty(), "sd_v1",
                KohyaDataOptions.DEFAULTS);
        out.printf("train_memory method=%s data=%s steps=%d every=%d max_heap_mib=%d%n", method, data, steps, every,
                Runtime.getRuntime().maxMemory() / 1048576);
        List<MemorySample> samples = new ArrayList<>();
        long start = System.nanoTime();
        try {
            FineTuneRun.run(model, methods, request, (report, current) -> {
                if (report.step() % every == 0) {
                    MemorySample sample = sample(report.step());
                    samples.add(sample);
                    out.printf("%s loss=%.5f elapsed_s=%.1f%n", sample.line(), report.loss(),
                            (System.nanoTime() - start) / 1e9);
                }
            }, (step, saved) -> { });
        } finally {
            Files.deleteIfExists(result);
            Files.deleteIfExists(folder);
        }
        MemoryTrend trend = new MemoryTrend(samples);
        out.printf("train_ms_per_step=%.1f%n", (System.nanoTime() - start) / 1e6 / steps);
        out.println(trend.verdict());
        return trend;
    }

    private static MemorySample sample(long step) {
        Runtime runtime = Runtime.getRuntime();
        return new MemorySample(step, ProcessMemory.residentKilobytes(), runtime.totalMemory() - runtime.freeMemory(),
                runtime.totalMemory(), LiveArrays.count());
    }
}

package dev.diffarm.daemon.gallery;

import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.event.ProgressThrottle;
import dev.diffarm.daemon.job.FarmMetrics;
import dev.diffarm.daemon.job.IntakePolicy;
import dev.diffarm.daemon.job.JobHandlers;
import dev.diffarm.daemon.job.JobIntake;
import dev.diffarm.daemon.job.JobLifecycle;
import dev.diffarm.daemon.job.JobRegistry;
import dev.diffarm.daemon.job.JobReporting;
import dev.diffarm.daemon.job.Tenants;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.local.LocalQueue;
import dev.diffarm.daemon.merge.ModelMerger;
import dev.diffarm.daemon.port.EventSink;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.InputPictures;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.daemon.render.UpscalerCache;
import dev.diffarm.daemon.render.UpscalerCatalog;
import dev.diffarm.daemon.render.UpscalerDirectory;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.JobParser;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * The daemon's heap over a render job of many tiny tasks, through the job lifecycle with the local queue and store,
 * thumbnails, contact sheets and gallery pages included. The renderer is a stand-in that returns an 8x8 PNG at once
 * (the engine would take most of an hour for 2,000 tasks on this machine, and its memory does not depend on the task
 * count), so what is measured is what grows with the number of tasks: the plan, the job's record, the events, the
 * overview. For each task count it prints the peak of the used heap sampled every 10 ms (garbage included), the live
 * heap after a full collection at every tenth of the tasks and after the overview, and the time.
 * Run with {@code scripts/bench-farm-overview [tasks ...]} (default 500 2000).
 */
public final class OverviewHeapBenchmark {
    private static final long MB = 1024 * 1024;
    private static final int SEEDS = 100;

    private OverviewHeapBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        int[] counts = args.length == 0 ? new int[] {500, 2000} : IntStream.range(0, args.length)
                .map(i -> Integer.parseInt(args[i])).toArray();
        System.out.printf(Locale.ROOT, "max_heap_mb=%d%n", Runtime.getRuntime().maxMemory() / MB);
        for (int tasks : counts) {
            run(tasks);
        }
    }

    private static void run(int tasks) throws Exception {
        if (tasks % SEEDS != 0) {
            throw new IllegalArgumentException("tasks = " + tasks + ": expected a multiple of " + SEEDS);
        }
        Path dir = Files.createTempDirectory("overview-bench");
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        System.gc();
        long before = memory.getHeapMemoryUsage().getUsed();
        AtomicLong peakUsed = new AtomicLong(before);
        AtomicLong peakLive = new AtomicLong(before);
        Thread sampler = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                peakUsed.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
                try {
                    Thread.sleep(10);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "heap-sampler");
        sampler.setDaemon(true);
        sampler.start();

        int checkpoint = Math.max(1, tasks / 10);
        EventSink liveAtCheckpoints = event -> {
            if (event instanceof JobEvent.TaskCompleted completed
                    && (Integer.parseInt(completed.taskId().substring(1)) + 1) % checkpoint == 0) {
                System.gc();
                peakLive.accumulateAndGet(memory.getHeapMemoryUsage().getUsed(), Math::max);
            }
        };
        LocalQueue queue = new LocalQueue(dir.resolve("local"));
        LocalOutputStore store = new LocalOutputStore(dir.resolve("local/outputs"));
        JobRegistry registry = new JobRegistry(100);
        JobReporting reporting = new JobReporting(registry, liveAtCheckpoints,
                new FarmMetrics(new SimpleMeterRegistry(), registry, queue::backlog));
        JobIntake intake = new JobIntake(new JobParser(), queue, reporting, IntakePolicy.DEFAULTS);
        JobLifecycle lifecycle = new JobLifecycle(intake, JobHandlers.of(eightByEight(),
                new ModelMerger(new ModelDirectory(dir.resolve("models")), store),
                JobHandlers.training(new ModelCache(new ModelDirectory(dir.resolve("models")),
                        TokenizerLocator.fromEnvironment()), store, dir.resolve("datasets"), dir.resolve("loras"),
                        TestPlugins.plugins()), JobHandlers.upscaling(new UpscalerCache(new UpscalerCatalog(
                        TestPlugins.plugins()::upscalers, new UpscalerDirectory(dir.resolve("upscalers")))),
                        InputPictures.from(store), store, TestPlugins.plugins(),
                        new EmbeddingDirectory(dir.resolve("embeddings"))), store),
                store, reporting,
                () -> new ProgressThrottle(2, System::nanoTime));

        String prompts = IntStream.range(0, tasks / SEEDS).mapToObj(i -> "\"prompt " + i + "\"")
                .collect(Collectors.joining(", ", "[", "]"));
        String seeds = IntStream.rangeClosed(1, SEEDS).mapToObj(Integer::toString).collect(Collectors.joining(", ", "[", "]"));
        intake.submit(("""
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "heap-%d", "model": "any", "prompts": %s,
                 "seeds": %s, "steps": 1, "width": 8, "height": 8}
                """.formatted(tasks, prompts, seeds)).getBytes(), Tenants.DEFAULT);
        long start = System.nanoTime();
        lifecycle.handle(queue.poll(Duration.ZERO).orElseThrow());
        double seconds = (System.nanoTime() - start) / 1e9;
        System.gc();
        long after = memory.getHeapMemoryUsage().getUsed();
        peakLive.accumulateAndGet(after, Math::max);
        sampler.interrupt();
        sampler.join();

        String state = registry.find("heap-" + tasks).orElseThrow().status().state();
        long sheets = store.list("jobs/heap-" + tasks + "/contact-sheet-").size();
        System.out.printf(Locale.ROOT, "tasks=%d state=%s sheets=%d seconds=%.1f heap_before_mb=%.1f "
                        + "peak_used_heap_mb=%.1f peak_live_heap_mb=%.1f live_heap_after_mb=%.1f%n",
                tasks, state, sheets, seconds, before / (double) MB, peakUsed.get() / (double) MB,
                peakLive.get() / (double) MB, after / (double) MB);
    }

    /** An 8x8 PNG per task, its gray level from the seed, so that images differ. */
    private static TaskRenderer eightByEight() {
        return (task, progress) -> {
            float[] pixels = new float[3 * 8 * 8];
            Arrays.fill(pixels, (task.parameters().seed() % 10) / 10f);
            progress.onStep(0, 1, null);
            return PngWriter.encode(new RgbImage(8, 8, pixels), task.parameters().prompt());
        };
    }
}

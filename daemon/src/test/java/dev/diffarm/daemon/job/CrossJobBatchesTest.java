package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.EngineCalls;
import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.Pixels;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.TaskSpec;
import io.micrometer.core.instrument.DistributionSummary;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * One-task jobs waiting in the local queue, rendered by one worker with batches of 4 that take the waiting jobs of
 * their key ({@link BatchCompanions}): as batches of several jobs, each image the one its job renders alone, each job
 * with its own events; a job of another key waiting among them is not starved; and a worker that dies with jobs
 * taken into a batch but not yet run loses none of them.
 */
class CrossJobBatchesTest {
    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();
    private static final int BATCH = 4;

    @TempDir
    Path dir;

    /** A one-image render job; jobs with the same {@code steps} share a batch key. */
    private static String job(String id, int seed, int steps) {
        return """
                {"apiVersion": "diffarm/v1", "kind": "render", "id": "%s", "model": "tiny",
                 "prompts": ["a painting of %s"], "seeds": [%d], "width": 32, "height": 32, "steps": %d,
                 "sampler": "Euler a", "cfg": 7.0}""".formatted(id, id, seed, steps);
    }

    private static List<String> ids(int count) {
        return IntStream.rangeClosed(1, count).mapToObj(n -> "job%02d".formatted(n)).toList();
    }

    /** A farm over {@code dir/name} whose worker batches up to {@code batch} tasks, of waiting jobs too. */
    private LocalFarm farm(String name, int batch, List<List<String>> calls) {
        Path local = dir.resolve(name);
        TaskRenderer renderer = EngineCalls.noted(tiny.renderer(dir.resolve("loras"), dir.resolve("embeddings")),
                tasks -> calls.add(tasks.stream().map(TaskSpec::jobId).toList()));
        return LocalFarm.withImagesOver(local, tiny.models(), new LocalOutputStore(local.resolve("outputs")),
                farm -> JobHandlers.images(renderer, farm.store, batch,
                        BatchCompanions.fromWaiting(farm.queue, farm.intake, farm.store)));
    }

    /** Drops the jobs in this order (file names sort as the ids), each one task of {@code steps} steps. */
    private static void drop(LocalFarm farm, List<String> ids, int firstSeed, List<Integer> steps) {
        for (int i = 0; i < ids.size(); i++) {
            farm.drop("%02d-%s.json".formatted(i, ids.get(i)), job(ids.get(i), firstSeed + i, steps.get(i)));
        }
    }

    /** The one-task jobs {@code ids} of 4 steps, rendered each alone by a farm over {@code dir/name}. */
    private LocalFarm renderedAlone(String name, List<String> ids, int firstSeed, List<List<String>> calls) {
        LocalFarm alone = farm(name, 1, calls);
        drop(alone, ids, firstSeed, ids.stream().map(id -> 4).toList());
        alone.runUntilIdle();
        return alone;
    }

    /** The largest pixel difference between the images of the jobs {@code ids} of two farms. */
    private static double worstDifference(LocalFarm alone, LocalFarm other, List<String> ids) throws IOException {
        double worst = 0;
        for (String id : ids) {
            worst = Math.max(worst, Pixels.maxAbsDifference(PngReader.readImage(png(alone, id)),
                    PngReader.readImage(png(other, id))));
        }
        return worst;
    }

    private static Path png(LocalFarm farm, String jobId) {
        return farm.local.resolve("outputs").resolve("jobs/" + jobId + "/t0000.png");
    }

    @Test
    void oneTaskJobsOfOneKeyRenderAsBatchesOfJobsEachImageAsRenderedAlone() throws IOException {
        List<String> ids = ids(8);
        List<Integer> steps = ids.stream().map(id -> 4).toList();
        List<List<String>> aloneCalls = new ArrayList<>();
        LocalFarm alone = renderedAlone("alone", ids, 10, aloneCalls);
        List<List<String>> batchedCalls = new ArrayList<>();
        LocalFarm batched = farm("batched", BATCH, batchedCalls);
        drop(batched, ids, 10, steps);
        batched.runUntilIdle();

        assertEquals(ids.stream().map(List::of).toList(), aloneCalls);
        assertEquals(List.of(ids.subList(0, 4), ids.subList(4, 8)), batchedCalls, "two engine calls of four jobs each");
        DistributionSummary jobsPerCall = batched.meters.get("diffarm.batch.jobs").summary();
        assertEquals(2, jobsPerCall.count());
        assertEquals(8, jobsPerCall.totalAmount(), "diffarm_batch_jobs: 4 jobs in each of the 2 calls");
        for (String id : ids) {
            assertEquals(alone.events.milestones(id), batched.events.milestones(id), id + " events");
            assertEquals("completed", batched.registry.find(id).orElseThrow().status().state(), id);
            assertEquals(PngReader.readParameters(png(alone, id)), PngReader.readParameters(png(batched, id)), id);
        }
        double worst = worstDifference(alone, batched, ids);
        System.out.printf("8 one-task jobs, cross-job batches of 4 vs each alone: max abs pixel difference %.3g "
                + "(1/255 = %.3g)%n", worst, 1 / 255.0);
        // 8-bit PNGs: float32 rounding may move a value across a rounding boundary, by one level at most
        assertTrue(worst <= 1 / 255.0 + 1e-6, "max abs pixel difference " + worst);
        try (var done = Files.list(batched.queue.doneDir())) {
            assertEquals(8, done.count(), "every job settled");
        }
    }

    @Test
    void aJobOfAnotherKeyWaitingAmongThemRunsAfterOneBatchNotAfterAll() {
        List<String> ids = ids(8);
        // job02 has 3 steps: another key, waiting second.
        List<Integer> steps = ids.stream().map(id -> id.equals("job02") ? 3 : 4).toList();
        List<List<String>> calls = new ArrayList<>();
        LocalFarm farm = farm("mixed", BATCH, calls);
        drop(farm, ids, 20, steps);
        farm.runUntilIdle();

        assertEquals(List.of(List.of("job01", "job03", "job04", "job05"), List.of("job02"),
                List.of("job06", "job07", "job08")), calls);
        List<String> completed = farm.events.all().stream().filter(JobEvent.Completed.class::isInstance)
                .map(event -> ((JobEvent.Completed) event).jobId()).toList();
        assertEquals(List.of("job01", "job03", "job04", "job05", "job02", "job06", "job07", "job08"), completed,
                "job02 runs right after the jobs the first batch took, before the later ones of the first key");
    }

    @Test
    void aWorkerThatDiesWithJobsOfItsBatchNotRunLosesNoneAndStoresEachImageOnce() throws Exception {
        List<String> ids = ids(4);
        List<Integer> steps = ids.stream().map(id -> 4).toList();
        LocalFarm alone = renderedAlone("reference", ids, 30, new ArrayList<>());

        List<List<String>> before = new ArrayList<>();
        LocalFarm dying = farm("crash", BATCH, before);
        drop(dying, ids, 30, steps);
        // The worker runs the job that led the batch and one job the batch took, then the process dies.
        dying.lifecycle.handle(dying.queue.poll(Duration.ZERO).orElseThrow());
        dying.lifecycle.handle(dying.queue.poll(Duration.ZERO).orElseThrow());
        assertEquals(List.of(ids), before, "one batch of the four jobs");
        try (var processing = Files.list(dying.queue.processingDir())) {
            assertEquals(2, processing.count(), "the two jobs taken into the batch and not run are unsettled");
        }

        List<List<String>> after = new ArrayList<>();
        LocalFarm restarted = farm("crash", BATCH, after);
        restarted.runUntilIdle();
        assertEquals(List.of(ids.subList(2, 4)), after, "the two jobs not stored render again, as one batch");
        List<JobEvent> events = new ArrayList<>(dying.events.all());
        events.addAll(restarted.events.all());
        for (String id : ids) {
            List<JobEvent> ofJob = events.stream().filter(event -> event.recordKey().filter(id::equals).isPresent())
                    .toList();
            assertEquals(1, ofJob.stream().filter(JobEvent.Completed.class::isInstance).count(), id + " completed once");
            assertEquals(1, ofJob.stream().filter(event -> event instanceof JobEvent.TaskCompleted task
                    && !task.skipped()).count(), id + ": its image stored once");
        }
        double worst = worstDifference(alone, restarted, ids);
        System.out.printf("4 one-task jobs, a worker dying mid-batch: max abs pixel difference to each alone %.3g%n",
                worst);
        assertTrue(worst <= 1 / 255.0 + 1e-6, "max abs pixel difference " + worst);
    }
}

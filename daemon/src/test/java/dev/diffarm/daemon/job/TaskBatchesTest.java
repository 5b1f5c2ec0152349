package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.EngineException;
import dev.diffarm.api.Progress;
import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.daemon.render.TaskBatchKey;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.pipeline.BatchKey;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.TaskSpec;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How a job's tasks are grouped into batches, with a stand-in renderer: which tasks go together, an out-of-memory
 * batch split in half, another failure pinned on its task, and a job stopped halfway through a batch resumed with
 * only the tasks not stored.
 */
class TaskBatchesTest {
    @TempDir
    Path dir;
    private Path models;
    /** The task ids of each render call, in order; a batch that failed is listed too. */
    private final List<List<String>> calls = new ArrayList<>();
    /** Which tasks the stand-in lets go together: those of one value; by default the parity of the seed. */
    private ToLongFunction<TaskSpec> keyOf = task -> task.parameters().seed() % 2;

    @BeforeEach
    void models() {
        models = TinyModel.modelsDir(dir.resolve("models"));
    }

    /**
     * A renderer whose tasks batch by {@link #keyOf} (a gray PNG per task), and whose batches fail with
     * {@code failure} where {@code fails} says.
     */
    private TaskRenderer standIn(Predicate<List<TaskSpec>> fails, RuntimeException failure) {
        return new TaskRenderer() {
            @Override
            public byte[] render(TaskSpec task, Progress progress) {
                return renderBatch(List.of(task), progress).get(0);
            }

            @Override
            public Optional<TaskBatchKey> batchKey(TaskSpec task) {
                int width = 32 + 8 * (int) keyOf.applyAsLong(task);
                return Optional.of(new TaskBatchKey(task.parameters().settings().model(), new BatchKey("Euler a",
                        Optional.empty(), OptionalDouble.empty(), 2, width, 32, true, List.of())));
            }

            @Override
            public List<byte[]> renderBatch(List<TaskSpec> tasks, Progress progress) {
                calls.add(tasks.stream().map(TaskSpec::id).toList());
                if (fails.test(tasks)) {
                    throw failure;
                }
                return tasks.stream().map(task -> PngWriter.encode(new RgbImage(8, 8, new float[3 * 8 * 8]),
                        task.parameters().prompt())).toList();
            }
        };
    }

    private LocalFarm farm(TaskRenderer renderer, int batchSize, OutputStore store) {
        return new LocalFarm(dir.resolve("local"), models, store, JobHandlers.images(renderer, store, batchSize));
    }

    private OutputStore outputs() {
        return new LocalOutputStore(dir.resolve("outputs"));
    }

    private static List<String> ids(int from, int to) {
        List<String> ids = new ArrayList<>();
        for (int i = from; i < to; i++) {
            ids.add(String.format("t%04d", i));
        }
        return ids;
    }

    @Test
    void tasksOfOneKeyRenderTogetherAndAreStoredAndReportedOneByOne() {
        OutputStore store = outputs();
        LocalFarm farm = farm(standIn(tasks -> false, null), 4, store);
        // t0000..t0004: prompt a, seeds 1..5; t0005..t0009: prompt b, seeds 1..5. Odd seeds share a key, even ones another.
        farm.drop("a.json", TinyModel.renderJob("mixed", "[\"a\", \"b\"]", "[1, 2, 3, 4, 5]", 2));
        farm.runUntilIdle();

        assertEquals(List.of(List.of("t0000", "t0002", "t0004", "t0005"), List.of("t0001", "t0003", "t0006", "t0008"),
                List.of("t0007", "t0009")), calls);
        List<String> completed = farm.events.of("mixed").stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(event -> ((JobEvent.TaskCompleted) event).taskId()).toList();
        assertEquals(ids(0, 10), completed, "each task reported at its own turn, in plan order");
        long finalProgress = farm.events.of("mixed").stream().filter(JobEvent.Progress.class::isInstance)
                .map(JobEvent.Progress.class::cast).filter(p -> p.step() == p.steps()).count();
        assertEquals(7, finalProgress, "the 7 tasks rendered in an earlier task's batch report their last step at their "
                + "turn (the stand-in reports no steps of its own)");
        assertEquals("completed", farm.registry.find("mixed").orElseThrow().status().state());
        for (String id : ids(0, 10)) {
            assertTrue(store.exists("jobs/mixed/" + id + ".png"), id);
        }
    }

    @Test
    void aBatchTakesItsTasksFromTheNextSixteenBatchSizesOfTheJob() {
        // seeds 1, 33 and 34 (t0000, t0032, t0033) share a key; batches of 2 look 32 tasks ahead
        keyOf = task -> List.of(1L, 33L, 34L).contains(task.parameters().seed()) ? 1 : 0;
        StringBuilder seeds = new StringBuilder("[1");
        for (int seed = 2; seed <= 36; seed++) {
            seeds.append(", ").append(seed);
        }
        LocalFarm farm = farm(standIn(tasks -> false, null), 2, outputs());
        farm.drop("far.json", TinyModel.renderJob("far", "[\"a\"]", seeds.append("]").toString(), 2));
        farm.runUntilIdle();

        assertEquals(List.of("t0000", "t0032"), calls.get(0), "t0032 is 32 tasks after t0000: within reach");
        assertTrue(calls.contains(List.of("t0033")), "t0033 had no partner left within reach: " + calls);
        assertEquals("completed", farm.registry.find("far").orElseThrow().status().state());
    }

    @Test
    void aBatchThatRunsOutOfMemoryIsSplitInHalfAndLaterBatchesStaySmaller() {
        OutputStore store = outputs();
        RenderException outOfMemory = new RenderException(RenderException.RENDER_FAILED, "rendering the batch failed",
                new EngineException("CUDA out of memory. Tried to allocate 2.00 GiB (GPU 0; 79.10 GiB total capacity)"));
        LocalFarm farm = farm(standIn(tasks -> tasks.size() > 2, outOfMemory), 4, store);
        farm.drop("oom.json", TinyModel.renderJob("oom", "[\"a\", \"b\"]", "[1, 2, 3, 4]", 2));
        farm.runUntilIdle();

        // odd seeds t0000, t0002, t0004, t0006; even seeds t0001, t0003, t0005, t0007
        assertEquals(List.of(List.of("t0000", "t0002", "t0004", "t0006"), List.of("t0000", "t0002"),
                List.of("t0004", "t0006"), List.of("t0001", "t0003"), List.of("t0005", "t0007")), calls);
        List<String> milestones = farm.events.milestones("oom");
        assertEquals("completed", milestones.get(milestones.size() - 1));
        assertEquals(8, milestones.stream().filter("task-completed"::equals).count());
        for (String id : ids(0, 8)) {
            assertTrue(store.exists("jobs/oom/" + id + ".png"), id);
        }
    }

    @Test
    void aBatchThatFailsOtherwiseIsRetriedAsItsFirstTaskSoTheFailureNamesTheTaskThatCausedIt() {
        RenderException broken = new RenderException(RenderException.RENDER_FAILED, "the prompt explodes", null);
        LocalFarm farm = farm(standIn(tasks -> tasks.stream().anyMatch(t -> t.parameters().prompt().equals("explode")),
                broken), 4, outputs());
        farm.drop("boom.json", TinyModel.renderJob("boom", "[\"fine\", \"explode\"]", "[1, 2]", 2));
        farm.runUntilIdle();

        // fine: t0000 (seed 1), t0001 (seed 2); explode: t0002 (seed 1), t0003 (seed 2)
        assertEquals(List.of(List.of("t0000", "t0002"), List.of("t0000"), List.of("t0001", "t0003"), List.of("t0001"),
                List.of("t0002")), calls);
        JobEvent.Failed failed = (JobEvent.Failed) farm.events.of("boom").get(farm.events.of("boom").size() - 1);
        assertEquals(Optional.of("t0002"), failed.taskId());
        assertEquals("the prompt explodes", failed.error().message());
    }

    @Test
    void aJobStoppedWithPartOfABatchStoredRendersOnlyTheMissingTasksWhenDeliveredAgain() throws IOException {
        LocalFarm farm = farm(standIn(tasks -> false, null), 4, outputs());
        String job = TinyModel.renderJob("crash", "[\"a\", \"b\"]", "[1, 2, 3, 4]", 2);
        farm.drop("1.json", job);
        farm.runUntilIdle();
        assertEquals(List.of(List.of("t0000", "t0002", "t0004", "t0006"), List.of("t0001", "t0003", "t0005", "t0007")),
                calls);
        // What a daemon killed while storing t0002 leaves: t0000 and t0001 stored, the rest of both batches not.
        for (String id : ids(2, 8)) {
            Files.delete(dir.resolve("outputs/jobs/crash/" + id + ".json"));
            Files.delete(dir.resolve("outputs/jobs/crash/" + id + ".png"));
        }

        calls.clear();
        farm.drop("2.json", job);
        farm.runUntilIdle();

        assertEquals(List.of(List.of("t0002", "t0004", "t0006"), List.of("t0003", "t0005", "t0007")), calls,
                "t0000 and t0001 were stored: only the others render");
        assertEquals("completed", farm.registry.find("crash").orElseThrow().status().state());
    }

    @Test
    void aBatchSizeOutsideItsRangeIsRefusedNamingTheSetting() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> JobHandlers.checkedBatchSize(0));
        assertEquals("DIFFARM_BATCH_SIZE = 0: expected 1..64 (1 renders each task alone)", zero.getMessage());
        assertThrows(IllegalArgumentException.class, () -> JobHandlers.images(standIn(t -> false, null), outputs(), 65));
    }
}

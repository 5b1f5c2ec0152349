package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.JobEvent;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DIFFARM_TASK_TIMEOUT: a task past its run-time limit fails its job naming the limit; the next job runs. */
class RunTimeLimitTest {
    @TempDir
    Path dir;

    @Test
    void aTaskPastItsLimitFailsNamingItAndTheNextJobRuns() {
        // "hang" steps until it is told to stop, as a runaway render would; anything else renders at once.
        LocalFarm farm = new LocalFarm(dir.resolve("local"), TinyModel.modelsDir(dir.resolve("models")), (task, progress) -> {
            for (int step = 0; task.parameters().prompt().equals("hang"); step++) {
                progress.checkCancelled(step);
                try {
                    Thread.sleep(5);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }
            return PngWriter.encode(new RgbImage(8, 8, new float[3 * 8 * 8]), task.parameters().prompt());
        }, Duration.ofMillis(300));
        farm.drop("1.json", TinyModel.renderJob("runaway", "[\"fine\", \"hang\"]", "[1]", 2));
        farm.drop("2.json", TinyModel.renderJob("next", "[\"fine\"]", "[1]", 2));
        long start = System.nanoTime();
        farm.runUntilIdle();
        double seconds = (System.nanoTime() - start) / 1e9;

        assertEquals(List.of("accepted", "task-completed", "failed"), farm.events.milestones("runaway"));
        JobEvent.Failed failed = (JobEvent.Failed) farm.events.of("runaway").get(farm.events.of("runaway").size() - 1);
        assertEquals(Optional.of("t0001"), failed.taskId());
        assertEquals("task-timeout", failed.error().code());
        assertEquals("task t0001 ran longer than its limit of PT0.3S (DIFFARM_TASK_TIMEOUT) and was stopped",
                failed.error().message());
        assertEquals("failed", farm.registry.find("runaway").orElseThrow().status().state());
        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("next"),
                "the worker went on to the next job");
        assertTrue(seconds < 30, "stopped soon after the limit, not after " + seconds + " s");
    }

    @Test
    void refusesALimitThatIsNotPositive() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RunTimeLimit.checked(Duration.ZERO));
        assertEquals("DIFFARM_TASK_TIMEOUT = PT0S: expected a positive duration, such as PT6H", e.getMessage());
    }
}

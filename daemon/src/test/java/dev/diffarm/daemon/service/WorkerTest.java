package dev.diffarm.daemon.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkerTest {
    @TempDir
    Path dir;

    @Test
    void takesNoJobWhileOutputsCannotBeStored() throws Exception {
        LocalFarm farm = new LocalFarm(dir.resolve("local"), TinyModel.modelsDir(dir.resolve("models")),
                (task, progress) -> PngWriter.encode(new RgbImage(8, 8, new float[3 * 8 * 8]), task.parameters().prompt()));
        AtomicBoolean canStore = new AtomicBoolean(false);
        Worker worker = new Worker("test-worker", farm.queue, farm.lifecycle, canStore::get);
        worker.start();
        try {
            farm.drop("a.json", TinyModel.renderJob("waits", "[\"x\"]", "[1]", 2));
            // The worker looks every 250 ms: four chances to take the job it must leave alone.
            Thread.sleep(1000);
            assertEquals(OptionalLong.of(1), farm.queue.backlog(), "still queued");
            assertEquals(List.of(), farm.events.all());

            canStore.set(true);
            Path done = farm.local.resolve("done/a.json");
            for (long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
                 !Files.exists(done) && System.nanoTime() < deadline; ) {
                Thread.sleep(50);
            }
            assertTrue(Files.exists(done), "taken and settled once outputs can be stored");
            assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("waits"));
        } finally {
            worker.stop(Duration.ofSeconds(10));
        }
    }
}

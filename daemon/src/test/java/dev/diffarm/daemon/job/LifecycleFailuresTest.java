package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.port.StoreException;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.ParseResult;
import dev.diffarm.farm.config.TaskSpec;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Failures and cancellation, with a stand-in renderer: they end one job and leave the next alone. */
class LifecycleFailuresTest {
    @TempDir
    Path dir;
    private Path models;
    private final List<String> rendered = new ArrayList<>();

    @BeforeEach
    void models() {
        models = TinyModel.modelsDir(dir.resolve("models"));
    }

    /** A gray 8x8 PNG per task, after {@code before} had its say. */
    private TaskRenderer standIn(TaskRenderer before) {
        return (task, progress) -> {
            before.render(task, progress);
            rendered.add(task.key());
            return PngWriter.encode(new RgbImage(8, 8, new float[3 * 8 * 8]), task.parameters().prompt());
        };
    }

    @Test
    void aFailedRenderFailsThatJobOnly() {
        LocalFarm farm = new LocalFarm(dir.resolve("local"), models, standIn((task, progress) -> {
            if (task.parameters().prompt().equals("explode")) {
                throw new RenderException(RenderException.RENDER_FAILED, "rendering " + task.id() + " failed: boom", null);
            }
            return null;
        }));
        farm.drop("1.json", TinyModel.renderJob("boom", "[\"fine\", \"explode\"]", "[1]", 2));
        farm.drop("2.json", TinyModel.renderJob("after", "[\"fine\"]", "[1]", 2));
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "failed"), farm.events.milestones("boom"));
        JobEvent.Failed failed = (JobEvent.Failed) last(farm.events.of("boom"));
        assertEquals(Optional.of("t0001"), failed.taskId());
        assertEquals("render-failed", failed.error().code());
        assertEquals("rendering t0001 failed: boom", failed.error().message());
        assertEquals("failed", farm.registry.find("boom").orElseThrow().status().state());
        assertTrue(farm.store.exists("jobs/boom/t0000.png"), "what was stored before the failure stays");
        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("after"));
        assertTrue(Files.isRegularFile(farm.local.resolve("done/1.json")), "a failed job is settled too");
    }

    /** A local store that can be switched off, as an S3 server that stops answering. */
    private static final class SwitchableStore implements OutputStore {
        private final LocalOutputStore stored;
        volatile boolean down;
        volatile boolean checksPass;

        SwitchableStore(Path root) {
            stored = new LocalOutputStore(root);
        }

        private void requireUp(String key) {
            if (down) {
                throw new StoreException("cannot store " + key + ": connection refused", null);
            }
        }

        @Override
        public boolean exists(String key) {
            requireUp(key);
            return stored.exists(key);
        }

        @Override
        public Optional<InputStream> open(String key) {
            requireUp(key);
            return stored.open(key);
        }

        @Override
        public void put(String key, InputStream content, long length, ObjectMetadata metadata) {
            requireUp(key);
            stored.put(key, content, length, metadata);
        }

        @Override
        public List<String> list(String prefix) {
            requireUp(prefix);
            return stored.list(prefix);
        }

        @Override
        public String location() {
            return stored.location();
        }

        @Override
        public void check() {
            if (!checksPass) {
                requireUp("the check object");
            }
        }
    }

    /** A farm over {@code store} whose renderer takes the store down when it reaches the task {@code t0001}. */
    private LocalFarm farmFailingAtSecondTask(SwitchableStore store) {
        return new LocalFarm(dir.resolve("local"), models, dir.resolve("loras"), standIn((task, progress) -> {
            if (task.id().equals("t0001")) {
                store.down = true;
            }
            return null;
        }), store);
    }

    @Test
    void aJobWhoseStoreGoesDownIsLeftUnsettledAndResumesWhenDeliveredAgain() {
        SwitchableStore store = new SwitchableStore(dir.resolve("outputs"));
        LocalFarm farm = farmFailingAtSecondTask(store);
        farm.drop("outage.json", TinyModel.renderJob("outage", "[\"one\", \"two\", \"three\"]", "[1]", 2));
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "failed"), farm.events.milestones("outage"));
        JobEvent.Failed failed = (JobEvent.Failed) last(farm.events.of("outage"));
        assertEquals("store-failed", failed.error().code());
        assertTrue(failed.error().message().contains("will be delivered again"), failed.error().message());
        assertTrue(Files.isRegularFile(farm.local.resolve("processing/outage.json")), "left unsettled, not lost");
        assertFalse(Files.exists(farm.local.resolve("done/outage.json")));

        store.down = false;
        rendered.clear();
        // A restarted daemon over the same folders: the queue takes the unsettled job up again.
        LocalFarm restarted = new LocalFarm(dir.resolve("local"), models, dir.resolve("loras"), standIn((task, progress) -> null),
                store);
        restarted.runUntilIdle();
        assertEquals(List.of("accepted", "task-completed", "task-completed", "task-completed", "completed"),
                restarted.events.milestones("outage"));
        assertEquals(List.of("jobs/outage/t0001.png", "jobs/outage/t0002.png"), rendered, "only what was missing");
        assertTrue(Files.isRegularFile(restarted.local.resolve("done/outage.json")));
    }

    @Test
    void aStoreFailureOfOneJobWhileTheStoreWorksSettlesThatJob() {
        SwitchableStore store = new SwitchableStore(dir.resolve("outputs"));
        store.checksPass = true;
        LocalFarm farm = farmFailingAtSecondTask(store);
        farm.drop("refused.json", TinyModel.renderJob("refused", "[\"one\", \"two\"]", "[1]", 2));
        farm.runUntilIdle();

        JobEvent.Failed failed = (JobEvent.Failed) last(farm.events.of("refused"));
        assertEquals("store-failed", failed.error().code());
        assertFalse(failed.error().message().contains("will be delivered again"), failed.error().message());
        assertTrue(Files.isRegularFile(farm.local.resolve("done/refused.json")), "settled: it would fail again");
    }

    @Test
    void cancellingARunningJobStopsItBeforeTheNextStep() {
        List<LocalFarm> farms = new ArrayList<>();
        LocalFarm farm = new LocalFarm(dir.resolve("local"), models, standIn((task, progress) -> {
            if (task.id().equals("t0001")) {
                farms.get(0).intake.cancel(task.jobId());
                progress.checkCancelled(0);
            }
            return null;
        }));
        farms.add(farm);
        farm.drop("stop.json", TinyModel.renderJob("stop", "[\"a\", \"b\", \"c\"]", "[1]", 2));
        farm.runUntilIdle();

        assertEquals(List.of("jobs/stop/t0000.png"), rendered);
        JobEvent.Failed failed = (JobEvent.Failed) last(farm.events.of("stop"));
        assertEquals("cancelled", failed.error().code());
        assertEquals(Optional.of("t0001"), failed.taskId());
        assertEquals("job stop was cancelled (cancelled before step 0)", failed.error().message());
        assertEquals("cancelled", farm.registry.find("stop").orElseThrow().status().state());
        assertFalse(farm.store.exists("jobs/stop/t0001.png"));
    }

    @Test
    void aJobCancelledWhileQueuedNeverRuns() {
        LocalFarm farm = new LocalFarm(dir.resolve("local"), models, standIn((task, progress) -> null));
        ParseResult submitted = farm.intake.submit(TinyModel.renderJob("waiting", "[\"a\"]", "[1]", 2)
                .getBytes(StandardCharsets.UTF_8));
        assertEquals("queued", farm.registry.find("waiting").orElseThrow().status().state());
        assertEquals(Optional.of(TrackedJob.CancelOutcome.CANCELLED_WHILE_QUEUED), farm.intake.cancel("waiting"));
        farm.runUntilIdle();

        assertEquals(List.of(), rendered);
        assertEquals(List.of("failed"), farm.events.milestones("waiting"));
        assertEquals("cancelled", farm.registry.find("waiting").orElseThrow().status().state());
        assertEquals(Optional.of(TrackedJob.CancelOutcome.ALREADY_ENDED), farm.intake.cancel("waiting"));
        assertEquals("waiting", submitted.jobId().orElseThrow());
        assertEquals(0, farm.queue.backlog().orElseThrow(), "the delivery was settled");
    }

    @Test
    void aSidecarWithOtherParametersDoesNotCountAsStored() {
        LocalFarm farm = new LocalFarm(dir.resolve("local"), models, standIn((task, progress) -> null));
        String json = TinyModel.renderJob("stale", "[\"a\"]", "[1]", 2);
        TaskSpec task = ((ImageJob) new JobParser().parse(json).orElseThrow()).plan().tasks().get(0);
        farm.store.put(task.key(), new byte[] {1}, "image/png");
        farm.store.put(task.sidecarKey(), "{\"parameterHash\": \"0000\"}".getBytes(StandardCharsets.UTF_8), "application/json");
        farm.drop("stale.json", json);
        farm.runUntilIdle();

        assertEquals(List.of(task.key()), rendered);
        assertEquals(Optional.of(task.parameterHash()), TaskSpec.storedParameterHash(farm.object(task.sidecarKey())));
    }

    private static JobEvent last(List<JobEvent> events) {
        return events.get(events.size() - 1);
    }
}

package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.local.LocalOutputStore;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.farm.config.JobEvent;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A task of many steps that saves its state, crashes with the daemon, and resumes from its last state when redelivered. */
class LongTaskResumeTest {
    @TempDir
    Path dir;

    @Test
    void aTaskCrashedMidwayResumesFromItsLastSavedStateWhenTheJobIsDeliveredAgain() throws Exception {
        Path models = TinyModel.modelsDir(dir.resolve("models"));
        Path local = dir.resolve("local");
        // Two tasks (seeds 5 and 7); the second crashes after step 8, whose last saved state is that of step 6.
        String job = TinyModel.renderJob("long", "[\"count\"]", "[5, 7]", 1);
        OutputStore store = new LocalOutputStore(local.resolve("outputs"));
        CountingHandler crashing = new CountingHandler(store, Optional.of("t0001"), 8);
        LocalFarm first = new LocalFarm(local, models, store, crashing);
        first.drop("long.json", job);

        assertThrows(CountingHandler.Crash.class, first::runUntilIdle);
        assertEquals(List.of("accepted", "task-completed"), first.events.milestones("long"));
        assertTrue(Files.isRegularFile(local.resolve("processing/long.json")), "the delivery is left unsettled");
        TaskState state = new TaskState(store, "jobs/long/t0001/state/", CountingHandler.KEEP);
        assertEquals(Optional.of(6L), state.latest().map(SavedState::step));

        // A restarted daemon over the same folders: the queue delivers the job again.
        CountingHandler resumed = new CountingHandler(store, Optional.empty(), 0);
        LocalFarm restarted = new LocalFarm(local, models, new LocalOutputStore(local.resolve("outputs")), resumed);
        restarted.runUntilIdle();

        assertEquals(Map.of("t0001", 6L), resumed.resumedAfter, "t0000 was stored and skipped; t0001 went on after step 6");
        assertEquals(Long.toString(CountingHandler.uninterrupted(7)), CountingHandler.text(restarted.object("jobs/long/t0001.png")));
        assertEquals(Long.toString(CountingHandler.uninterrupted(5)), CountingHandler.text(restarted.object("jobs/long/t0000.png")));
        List<String> steps = restarted.events.of("long").stream().filter(JobEvent.Progress.class::isInstance)
                .map(JobEvent.Progress.class::cast).map(p -> p.taskId() + ":" + p.step() + "/" + p.steps()).toList();
        assertEquals(List.of("t0001:7/10", "t0001:8/10", "t0001:9/10", "t0001:10/10"), steps, "no step done twice");
        List<Boolean> skipped = restarted.events.of("long").stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(event -> ((JobEvent.TaskCompleted) event).skipped()).toList();
        assertEquals(List.of(true, false), skipped);
        assertEquals("completed", restarted.events.milestones("long").get(3));
        assertTrue(Files.isRegularFile(local.resolve("done/long.json")), "settled once completed");

        // Saved after steps 3, 6 and 9 of which the last 2 are kept, each with both its parts.
        List<SavedState> kept = state.saved();
        assertEquals(List.of(6L, 9L), kept.stream().map(SavedState::step).sorted().toList());
        SavedState last = state.latest().orElseThrow();
        assertEquals(List.of("value", "notes.txt"), last.parts());
        try (InputStream notes = last.open("notes.txt")) {
            assertEquals("saved after step 9 of t0001", new String(notes.readAllBytes(), StandardCharsets.UTF_8));
        }
    }

    @Test
    void aSaveNeverCommittedIsNoStateAndTheOldestStateMakesRoomForTheNext() {
        TaskState state = new TaskState(new LocalOutputStore(dir), "jobs/j/t0000/state/", 2);
        assertEquals(Optional.empty(), state.latest(), "nothing saved: start from zero");
        save(state, 3);
        StateSave cutShort = state.save(6);
        cutShort.put("value", new byte[] {6});
        assertEquals(Optional.of(3L), state.latest().map(SavedState::step), "a save cut short leaves the one before");

        save(state, 9);
        assertEquals(List.of(3L, 9L), steps(state), "the slot of the save cut short is reused");
        save(state, 12);
        assertEquals(List.of(9L, 12L), steps(state), "then the oldest state's slot");
        assertEquals(12, state.latest().orElseThrow().read("value")[0]);
    }

    @Test
    void badStateRequestsAreRefusedNamingTheValue() {
        LocalOutputStore store = new LocalOutputStore(dir);
        IllegalArgumentException keepOne = assertThrows(IllegalArgumentException.class,
                () -> new TaskState(store, "jobs/j/t0000/state/", 1));
        assertEquals("keep = 1: expected at least 2, so that a save cut short leaves the state before it", keepOne.getMessage());
        StateSave save = new TaskState(store, "jobs/j/t0000/state/", 2).save(1);
        IllegalArgumentException escaping = assertThrows(IllegalArgumentException.class, () -> save.put("../x", new byte[0]));
        assertTrue(escaping.getMessage().startsWith("part = \"../x\": expected 1 to 128 letters"), escaping.getMessage());
        save.put("a", new byte[0]);
        assertThrows(IllegalArgumentException.class, () -> save.put("a", new byte[0]));
        save.commit();
        IllegalArgumentException missing = assertThrows(IllegalArgumentException.class,
                () -> new TaskState(store, "jobs/j/t0000/state/", 2).latest().orElseThrow().read("b"));
        assertEquals("part = \"b\": the state of step 1 has [a]", missing.getMessage());
    }

    private static void save(TaskState state, long step) {
        StateSave save = state.save(step);
        save.put("value", new byte[] {(byte) step});
        save.commit();
    }

    private static List<Long> steps(TaskState state) {
        return state.saved().stream().map(SavedState::step).sorted().toList();
    }
}

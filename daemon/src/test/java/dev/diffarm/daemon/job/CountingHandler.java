package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.TaskSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A stand-in for a long task (a training run) in place of rendering: each task of an image job counts {@value #STEPS}
 * steps, folding each into a running value that depends on every step before it, saves its state every
 * {@value #SAVE_EVERY} steps (keeping {@value #KEEP}), and stores the final value as its output. A task that runs again
 * starts after the step of its last saved state. It can be made to crash, as a daemon killed mid-task: an
 * {@link Error} the lifecycle does not catch, so the delivery is left unsettled.
 */
final class CountingHandler implements JobHandler<ImageJob> {
    static final int STEPS = 10;
    static final int SAVE_EVERY = 3;
    static final int KEEP = 2;

    /** What a killed daemon leaves behind: nothing runs after it, nothing is settled. */
    static final class Crash extends Error {
        Crash(String where) {
            super("crashed " + where);
        }
    }

    private final OutputStore store;
    private final Optional<String> crashTask;
    private final int crashStep;
    /** The step each task started after, by task id: 0 for a fresh start. */
    final Map<String, Long> resumedAfter = new ConcurrentHashMap<>();

    /** A handler that crashes in task {@code crashTask} right after step {@code crashStep}, before saving it. */
    CountingHandler(OutputStore store, Optional<String> crashTask, int crashStep) {
        this.store = store;
        this.crashTask = crashTask;
        this.crashStep = crashStep;
    }

    /** The value a task of {@code seed} ends with when counted from zero without a break. */
    static long uninterrupted(long seed) {
        long value = 0;
        for (int step = 1; step <= STEPS; step++) {
            value = fold(value, seed, step);
        }
        return value;
    }

    private static long fold(long value, long seed, long step) {
        return value * 31 + seed * 1000 + step;
    }

    @Override
    public JobWork plan(ImageJob job) {
        List<TaskWork> tasks = job.plan().tasks().stream().<TaskWork>map(Counting::new).toList();
        return () -> tasks;
    }

    private final class Counting extends PlannedTask {
        Counting(TaskSpec task) {
            super(task);
        }

        @Override
        public boolean isStored() {
            return store.exists(task.key());
        }

        @Override
        public Outcome run(TaskRun run) {
            TaskState state = run.state(KEEP);
            Optional<SavedState> last = state.latest();
            long start = last.map(SavedState::step).orElse(0L);
            long value = last.map(saved -> Long.parseLong(text(saved.read("value")))).orElse(0L);
            resumedAfter.put(task.id(), start);
            long seed = task.parameters().seed();
            for (long step = start + 1; step <= STEPS; step++) {
                run.checkCancelled("before step " + step);
                value = fold(value, seed, step);
                run.step(step, STEPS);
                if (crashTask.filter(task.id()::equals).isPresent() && step == crashStep) {
                    throw new Crash("in " + task.id() + " after step " + step);
                }
                if (step % SAVE_EVERY == 0) {
                    save(state, step, value);
                }
            }
            store.put(task.key(), Long.toString(value).getBytes(StandardCharsets.UTF_8), "text/plain");
            return Outcome.MADE;
        }

        /** One part as bytes, one as a stream, as a training state has small counters and large arrays. */
        private void save(TaskState state, long step, long value) {
            StateSave save = state.save(step);
            save.put("value", Long.toString(value).getBytes(StandardCharsets.UTF_8));
            try (OutputStream out = save.open("notes.txt")) {
                out.write(("saved after step " + step + " of " + task.id()).getBytes(StandardCharsets.UTF_8));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            save.commit();
        }
    }

    static String text(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }
}

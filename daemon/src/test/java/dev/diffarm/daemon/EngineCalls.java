package dev.diffarm.daemon;

import dev.diffarm.api.Progress;
import dev.diffarm.daemon.render.TaskBatchKey;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.farm.config.TaskSpec;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/** A renderer that tells of each engine call it passes on: the tasks of a batch, or the one task rendered alone. */
public final class EngineCalls {
    private EngineCalls() {
    }

    /** {@code engine}, telling {@code calls} the tasks of each call before making it. */
    public static TaskRenderer noted(TaskRenderer engine, Consumer<List<TaskSpec>> calls) {
        return new TaskRenderer() {
            @Override
            public byte[] render(TaskSpec task, Progress progress) {
                calls.accept(List.of(task));
                return engine.render(task, progress);
            }

            @Override
            public Optional<TaskBatchKey> batchKey(TaskSpec task) {
                return engine.batchKey(task);
            }

            @Override
            public List<byte[]> renderBatch(List<TaskSpec> tasks, Progress progress) {
                calls.accept(List.copyOf(tasks));
                return engine.renderBatch(tasks, progress);
            }
        };
    }
}

package dev.diffarm.daemon.render;

import dev.diffarm.api.Progress;
import dev.diffarm.farm.config.TaskSpec;
import java.util.List;
import java.util.Optional;

/** Makes the image of one task, or of several at once: what the job lifecycle asks of a device. */
@FunctionalInterface
public interface TaskRenderer {

    /**
     * Renders {@code task} and returns its PNG, carrying AUTOMATIC1111's {@code parameters} text chunk.
     *
     * @param progress told of every sampling step; once it is cancelled the render stops before its next step
     * @throws RenderException when the model cannot be loaded or the render fails
     * @throws java.util.concurrent.CancellationException when {@code progress} was cancelled
     */
    byte[] render(TaskSpec task, Progress progress);

    /**
     * Which tasks may render together: those with equal keys, through {@link #renderBatch}. Empty for a task that
     * renders alone, and for every task by default.
     */
    default Optional<TaskBatchKey> batchKey(TaskSpec task) {
        return Optional.empty();
    }

    /**
     * Renders tasks that share one {@link #batchKey} as one batch; returns their PNGs in the order of {@code tasks},
     * each the PNG {@link #render} makes of it alone (its pixels within float32 rounding, the same text). By default one
     * after the other.
     *
     * @param progress told of every sampling step of the batch
     * @throws RenderException when a model or LoRA cannot be loaded or the render fails (out of memory too: its cause is
     *                         then the engine's)
     * @throws java.util.concurrent.CancellationException when {@code progress} was cancelled
     */
    default List<byte[]> renderBatch(List<TaskSpec> tasks, Progress progress) {
        return tasks.stream().map(task -> render(task, progress)).toList();
    }
}

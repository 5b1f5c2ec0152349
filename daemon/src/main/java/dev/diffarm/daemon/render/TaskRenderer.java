package dev.diffarm.daemon.render;

import dev.diffarm.api.Progress;
import dev.diffarm.farm.config.TaskSpec;

/** Makes the image of one task: what the job lifecycle asks of a device. */
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
}

package dev.diffarm.daemon.render;

import dev.diffarm.engine.pipeline.BatchKey;
import java.util.Objects;

/**
 * What tasks must share to render as one batch ({@link TaskRenderer#renderBatch}): the model, and what the engine's
 * {@link BatchKey} names (sampler, schedule, eta, steps, size, guidance on or off, LoRAs).
 *
 * @param model  the model's name
 * @param render the engine's key of the task's request
 */
public record TaskBatchKey(String model, BatchKey render) {
    public TaskBatchKey {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(render, "render");
    }
}

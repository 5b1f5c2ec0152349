package dev.diffarm.api;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * A job's own stream of standard normal noise. Every draw advances the stream, so the order of calls
 * is part of a sampler's output: the reference implementation draws one tensor per ancestral step.
 * One source belongs to one job; it is not thread-safe and never shared between jobs.
 */
@FunctionalInterface
public interface NoiseSource {
    /**
     * Draws a tensor of independent N(0, 1) float32 values.
     *
     * @param manager where the tensor is created
     * @param shape   its shape
     * @return the draw
     */
    NDArray next(NDManager manager, Shape shape);
}

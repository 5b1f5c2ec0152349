package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.NoiseSource;
import java.util.List;

/**
 * The noise of a batch of several tasks: a draw of shape [rows, ...] is each task's own draw of its rows
 * [rows<sub>i</sub>, ...] from its own source, stacked in task order. Samplers draw tensors of the latent's shape, so
 * each task's generator sees exactly the calls it sees when the task renders alone, and its rows get the same noise.
 */
final class StackedNoise implements NoiseSource {
    private final List<? extends NoiseSource> sources;
    private final int[] rows;
    private final long totalRows;

    /**
     * @param sources each task's noise source, in the batch's row order
     * @param rows    how many rows of the batch each task has
     */
    StackedNoise(List<? extends NoiseSource> sources, int[] rows) {
        if (sources.size() != rows.length || sources.isEmpty()) {
            throw new IllegalArgumentException(sources.size() + " noise sources for " + rows.length
                    + " row counts: expected one source per task, at least one");
        }
        this.sources = List.copyOf(sources);
        this.rows = rows.clone();
        long total = 0;
        for (int r : rows) {
            total += r;
        }
        this.totalRows = total;
    }

    @Override
    public NDArray next(NDManager manager, Shape shape) {
        if (shape.dimension() == 0 || shape.get(0) != totalRows) {
            throw new IllegalArgumentException("noise of shape " + shape + " asked of a batch of " + totalRows
                    + " rows: expected a shape whose first dimension is " + totalRows);
        }
        if (sources.size() == 1) {
            return sources.get(0).next(manager, shape);
        }
        NDList parts = new NDList(sources.size());
        long[] dims = shape.getShape();
        for (int i = 0; i < sources.size(); i++) {
            dims[0] = rows[i];
            parts.add(sources.get(i).next(manager, new Shape(dims)));
        }
        return NDArrays.concat(parts, 0);
    }
}

package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import java.util.ArrayDeque;
import java.util.Deque;

/** The draws a reference run recorded, handed out in the order it made them; a test fails if asked for another shape. */
final class RecordedDraws implements Draws {
    private final Deque<float[]> normals = new ArrayDeque<>();
    private final Deque<long[]> integers = new ArrayDeque<>();

    RecordedDraws normal(SafetensorsFile file, String key) {
        normals.add(file.floats(key));
        return this;
    }

    RecordedDraws integers(SafetensorsFile file, String key) {
        integers.add(file.longs(key));
        return this;
    }

    @Override
    public NDArray randn(NDManager manager, Shape shape) {
        float[] next = normals.remove();
        assertArrayEquals(new long[] {next.length}, new long[] {shape.size()}, "recorded draw size for " + shape);
        return manager.create(next, shape);
    }

    @Override
    public long[] randint(long high, int n) {
        long[] next = integers.remove();
        assertArrayEquals(new long[] {n}, new long[] {next.length}, "recorded randint count");
        return next;
    }

    boolean exhausted() {
        return normals.isEmpty() && integers.isEmpty();
    }
}

package dev.diffarm.api.sampling;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import java.util.ArrayList;
import java.util.List;

/**
 * What a multistep sampler keeps from its earlier steps (model outputs, derivatives), newest first. The arrays
 * live outside the step scopes: pushing one more than the capacity closes the oldest, and closing the history
 * closes the rest.
 */
public final class History implements AutoCloseable {
    private final int capacity;
    private final List<NDArray> entries = new ArrayList<>();

    /** @param capacity how many of the latest arrays to keep */
    public History(int capacity) {
        this.capacity = capacity;
    }

    /** Keeps {@code value}, created in the current step's scope, beyond that scope. */
    public void push(NDArray value) {
        NDScope.unregister(value);
        entries.add(0, value);
        if (entries.size() > capacity) {
            entries.remove(entries.size() - 1).close();
        }
    }

    /** The array pushed {@code back} pushes ago: 0 is the latest. */
    public NDArray get(int back) {
        return entries.get(back);
    }

    /** How many arrays it holds: the pushes so far, at most the capacity. */
    public int size() {
        return entries.size();
    }

    @Override
    public void close() {
        entries.forEach(NDArray::close);
        entries.clear();
    }
}

package dev.diffarm.engine.demo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.model.TensorSource;
import dev.diffarm.engine.safetensors.DType;
import java.util.Set;
import java.util.function.Predicate;

/** Another source's tensors, except that those whose key {@code zeroed} accepts are all 0. */
final class ZeroedTensors implements TensorSource {
    private final TensorSource source;
    private final Predicate<String> zeroed;

    ZeroedTensors(TensorSource source, Predicate<String> zeroed) {
        this.source = source;
        this.zeroed = zeroed;
    }

    @Override
    public Set<String> keys() {
        return source.keys();
    }

    @Override
    public long[] shape(String key) {
        return source.shape(key);
    }

    @Override
    public DType storedType(String key) {
        return source.storedType(key);
    }

    @Override
    public NDArray load(String key, NDManager manager) {
        return zeroed.test(key) ? manager.zeros(new Shape(source.shape(key))) : source.load(key, manager);
    }

    @Override
    public String describe() {
        return source.describe() + ", residual branches zeroed";
    }
}

package dev.diffarm.engine.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.safetensors.DType;
import java.util.Map;
import java.util.Set;

/**
 * Newly initialised weights for an architecture, made on demand: matrices and kernels drawn from
 * N(0, gain^2 / fan_in), norm scales 1, biases 0. For the benchmark and the generated demo model, where
 * no checkpoint exists; never for parity.
 */
public final class FreshWeights implements TensorSource {
    private final Map<String, long[]> shapes;
    private final double gain;
    private final String name;

    /**
     * @param shapes every tensor of the component ({@link ArchitectureShapes})
     * @param gain   scale of the random matrices relative to a unit-variance initialisation
     * @param name   what the weights are for, in messages
     */
    public FreshWeights(Map<String, long[]> shapes, double gain, String name) {
        this.shapes = shapes;
        this.gain = gain;
        this.name = name;
    }

    @Override
    public Set<String> keys() {
        return shapes.keySet();
    }

    @Override
    public long[] shape(String key) {
        return shapes.get(key);
    }

    @Override
    public DType storedType(String key) {
        return DType.F32;
    }

    @Override
    public NDArray load(String key, NDManager manager) {
        Shape shape = new Shape(shapes.get(key));
        if (shape.dimension() == 1) {
            return key.endsWith(".weight") ? manager.ones(shape) : manager.zeros(shape);
        }
        long fanIn = shape.size() / shape.get(0);
        if (key.contains("embedding")) {
            fanIn = shape.get(1);
        }
        return manager.randomNormal(0f, (float) (gain / Math.sqrt(fanIn)), shape, ai.djl.ndarray.types.DataType.FLOAT32);
    }

    @Override
    public String describe() {
        return "fresh weights for " + name;
    }
}

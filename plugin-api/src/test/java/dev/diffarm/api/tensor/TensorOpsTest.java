package dev.diffarm.api.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.upscale.UpscaleNetwork;
import dev.diffarm.api.upscale.UpscalerArchitecture;
import dev.diffarm.api.upscale.UpscalerWeights;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** DJL's plain operators behind {@link TensorOps}, the checks every implementation makes, and plugins built on 1.2. */
class TensorOpsTest {
    @Test
    void thePlainConvolutionSumsTheKernelOverTheZeroPaddedNeighbourhood() {
        try (NDManager manager = NDManager.newBaseManager()) {
            sumsTheNeighbourhood(manager);
        }
    }

    private static void sumsTheNeighbourhood(NDManager manager) {
        // a 3x3 kernel of ones, bias 0.5, over a 2x2 picture of 1..4: every output sees all four pixels
        NDArray x = manager.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
        Convolution ones = TensorOps.plain().convolution(manager.ones(new Shape(1, 1, 3, 3)),
                manager.create(new float[] {0.5f}), 1, 1);
        assertArrayEquals(new float[] {10.5f, 10.5f, 10.5f, 10.5f}, ones.apply(x).toFloatArray());
        assertArrayEquals(new float[] {-1.9f, -1.9f, -1.9f, -1.9f}, ones.applyLeakyRelu(x.neg(), 0.2f).toFloatArray(),
                1e-6f);
        Convolution strided = TensorOps.plain().convolution(manager.ones(new Shape(1, 1, 3, 3)),
                manager.create(new float[] {0f}), 2, 1);
        assertArrayEquals(new long[] {1, 1, 1, 1}, strided.apply(x).getShape().getShape());
    }

    @Test
    void badArgumentsAreNamedWithWhatWasExpected() {
        try (NDManager manager = NDManager.newBaseManager()) {
            namesBadArguments(manager);
        }
    }

    private static void namesBadArguments(NDManager manager) {
        NDArray kernel = manager.zeros(new Shape(4, 2, 3, 3));
        NDArray bias = manager.zeros(new Shape(4));
        assertEquals("convolution weight has shape (4, 2, 3, 2), expected [out, in, k, k] (a square 2-D kernel)",
                assertThrows(IllegalArgumentException.class, () -> TensorOps.plain().convolution(
                        manager.zeros(new Shape(4, 2, 3, 2)), bias, 1, 1)).getMessage());
        assertEquals("convolution bias has shape (3), expected (4) for a kernel of shape (4, 2, 3, 3)",
                assertThrows(IllegalArgumentException.class, () -> TensorOps.plain().convolution(kernel,
                        manager.zeros(new Shape(3)), 1, 1)).getMessage());
        assertEquals("convolution stride 0, padding 1: expected a stride of at least 1 and a padding of at least 0",
                assertThrows(IllegalArgumentException.class, () -> TensorOps.plain().convolution(kernel, bias, 0, 1))
                        .getMessage());
    }

    /** An architecture built against plugin API 1.2 knows no TensorOps: the host's call reaches its own load. */
    @Test
    void anArchitectureWithoutTheHookLoadsAsBefore() {
        UpscaleNetwork network = new UpscaleNetwork() {
            @Override
            public int scale() {
                return 2;
            }

            @Override
            public NDArray forward(NDArray rgb) {
                return rgb;
            }
        };
        UpscalerArchitecture older = new UpscalerArchitecture() {
            @Override
            public String name() {
                return "older";
            }

            @Override
            public Optional<String> mismatch(UpscalerWeights weights) {
                return Optional.empty();
            }

            @Override
            public UpscaleNetwork load(UpscalerWeights weights) {
                return network;
            }
        };
        assertSame(network, older.load(new UpscalerWeights("m", Map.of(), Map.of()), TensorOps.plain()));
    }
}

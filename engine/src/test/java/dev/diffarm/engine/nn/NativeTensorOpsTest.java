package dev.diffarm.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.tensor.TensorOps;
import dev.diffarm.engine.testing.Parity;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The engine's operators for plugins equal DJL's plain ones, in either layout, for every channel count an RRDBNet
 * has, including those oneDNN's packed kernels got wrong (24 and 40 input channels: off by up to 0.5 unchecked).
 */
class NativeTensorOpsTest {
    @ParameterizedTest
    @CsvSource({"3, 16, 1", "16, 8, 1", "24, 8, 1", "40, 8, 1", "48, 16, 1", "64, 32, 1", "192, 64, 1", "40, 8, 2",
            "64, 3, 2"})
    void theConvolutionIsThePlainOne(int in, int out, int stride) {
        try (NDManager test = NDManager.newBaseManager()) {
            NDArray weight = test.randomNormal(0, 0.1f, new Shape(out, in, 3, 3), DataType.FLOAT32);
            NDArray bias = test.randomNormal(0, 0.1f, new Shape(out), DataType.FLOAT32);
            NDArray x = test.randomUniform(0, 1, new Shape(1, in, 13, 11));
            float[] plain = TensorOps.plain().convolution(weight, bias, stride, 1).apply(x).toFloatArray();
            NativeTensorOps ops = NativeTensorOps.INSTANCE;
            NDArray standard = ops.convolution(weight, bias, stride, 1).apply(x);
            NDArray channelsLast = ops.convolution(weight, bias, stride, 1).apply(ops.preferredLayout(x));
            assertEquals(new Shape(1, out, (13 + 2 - 3) / stride + 1, (11 + 2 - 3) / stride + 1), standard.getShape());
            Parity.assertClose(in + "->" + out + " standard layout", plain, ops.standardLayout(standard).toFloatArray(),
                    1e-5);
            Parity.assertClose(in + "->" + out + " channels last", plain,
                    ops.standardLayout(channelsLast).toFloatArray(), 1e-5);
            Parity.assertClose(in + "->" + out + " with leaky ReLU fused",
                    TensorOps.plain().convolution(weight, bias, stride, 1).applyLeakyRelu(x, 0.2f).toFloatArray(),
                    ops.standardLayout(ops.convolution(weight, bias, stride, 1).applyLeakyRelu(ops.preferredLayout(x),
                            0.2f)).toFloatArray(), 1e-5);
        }
    }

    @ParameterizedTest
    @CsvSource({"1, 5, 7", "12, 4, 4"})
    void theLayoutsKeepTheValues(int channels, int height, int width) {
        try (NDManager test = NDManager.newBaseManager()) {
            NDArray x = test.randomUniform(0, 1, new Shape(1, channels, height, width));
            NativeTensorOps ops = NativeTensorOps.INSTANCE;
            assertArrayEquals(x.toFloatArray(), ops.standardLayout(ops.preferredLayout(x)).toFloatArray());
        }
    }
}

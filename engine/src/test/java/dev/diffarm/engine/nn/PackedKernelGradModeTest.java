package dev.diffarm.engine.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.jni.JniUtils;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * A convolution kernel is packed for oneDNN whatever the grad mode of the thread that loads it. libtorch's grad mode is
 * per thread and on by default, and DJL turns it off only on the thread that started the engine: the farm daemon loads
 * its models on a worker thread, the CLI on the engine's thread. When packing followed the loading thread's grad mode,
 * the daemon's models were left unpacked and computed on libtorch's plain kernels, whose sums round differently
 * (issue 12: an inpainting PNG one 8-bit level off the CLI's), and several times slower.
 */
class PackedKernelGradModeTest {
    @Test
    void aKernelLoadedOnAThreadWhoseGradModeIsOnIsPackedAndComputesAsOneLoadedWithItOff() throws Exception {
        try (NDManager test = NDManager.newBaseManager()) {
            // the shape of the tiny VAE's first 32 -> 64 convolution, where the daemon and the CLI first differed
            NDArray weight = test.arange(0f, 64f * 32 * 9).mul(0.37f).sin().mul(0.1f).reshape(64, 32, 3, 3);
            NDArray bias = test.zeros(new Shape(64));
            NDArray x = test.arange(0f, 32f * 16 * 24).mul(0.61f).cos().reshape(1, 32, 16, 24);
            assertTrue(!Autograd.recording(), "the test thread started DJL: its grad mode is off");
            NDArray offThread = NativeOps.packedOrNull(weight, 1, 1);
            AtomicReference<NDArray> onThread = new AtomicReference<>();
            AtomicReference<Boolean> recordedAfter = new AtomicReference<>();
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread loader = new Thread(() -> {
                try {
                    JniUtils.setGradMode(true); // a fresh thread's default, set here so the test does not rely on it
                    onThread.set(NativeOps.packedOrNull(weight, 1, 1));
                    recordedAfter.set(Autograd.recording());
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            loader.start();
            loader.join();
            if (failure.get() != null) {
                throw new AssertionError(failure.get());
            }

            assertNotNull(offThread, "packed where grad mode is off");
            assertNotNull(onThread.get(), "packed where grad mode is on");
            assertTrue(recordedAfter.get(), "the loading thread's grad mode is left as it was");
            float[] expected = NativeOps.contiguous(NativeOps.packedConvolution(x, offThread, bias, 1, 1))
                    .toFloatArray();
            float[] actual = NativeOps.contiguous(NativeOps.packedConvolution(x, onThread.get(), bias, 1, 1))
                    .toFloatArray();
            assertArrayEquals(expected, actual, "the same kernel, the same bits");
        }
    }
}

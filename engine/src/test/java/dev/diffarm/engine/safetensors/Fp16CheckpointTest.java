package dev.diffarm.engine.safetensors;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.diffarm.engine.testing.Fixtures;
import org.junit.jupiter.api.Test;

/**
 * The fixture's float16 checkpoint holds exactly the float32 weights (every weight was rounded to a
 * float16 value): loaded as float32 it must equal the float32 checkpoint bit for bit, tensor by tensor.
 */
class Fp16CheckpointTest {
    @Test
    void float16CheckpointLoadsToTheFloat32WeightsBitForBit() {
        try (SafetensorsFile f32 = SafetensorsFile.open(Fixtures.sdTiny("model.safetensors"));
             SafetensorsFile f16 = SafetensorsFile.open(Fixtures.sdTiny("model-fp16.safetensors"));
             NDManager m = NDManager.newBaseManager()) {
            assertEquals(f32.names(), f16.names());
            int halves = 0;
            long values = 0;
            for (String name : f32.names()) {
                TensorInfo reference = f32.info(name);
                TensorInfo half = f16.info(name);
                assertArrayEquals(reference.shape(), half.shape(), name);
                if (reference.dtype() == DType.I64) {
                    assertEquals(DType.I64, half.dtype(), name);
                    assertArrayEquals(f32.longs(name), f16.longs(name), name);
                    continue;
                }
                assertEquals(DType.F32, reference.dtype(), name);
                assertEquals(DType.F16, half.dtype(), name);
                int[] expected = bits(f32.floats(name));
                assertArrayEquals(expected, bits(f16.floats(name)), name + " via floats()");
                try (NDManager tensor = m.newSubManager()) {
                    NDArray loaded = f16.load(name, tensor);
                    assertEquals(DataType.FLOAT32, loaded.getDataType(), name);
                    assertArrayEquals(expected, bits(loaded.toFloatArray()), name + " via load()");
                    assertArrayEquals(expected, bits(f32.load(name, tensor).toFloatArray()), name + " float32 load()");
                }
                halves++;
                values += expected.length;
            }
            System.out.printf("parity fp16 checkpoint: %d F16 tensors (%d values) equal the F32 checkpoint bit for bit%n",
                    halves, values);
            assertEquals(544, halves);
        }
    }

    private static int[] bits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }
}

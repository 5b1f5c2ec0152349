package dev.diffarm.engine.safetensors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every one of the 65,536 F16 and BF16 values, widened both ways diffarm widens them: on the heap
 * ({@code floats}) and into an NDArray ({@code load}; libtorch for F16, Java for BF16, never DJL's
 * bfloat16 type, which aborts the JVM).
 */
class SixteenBitWideningTest {
    @TempDir
    Path dir;

    @Test
    void everyFloat16ValueWidensExactly() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("f16.safetensors"),
                "{\"all\":{\"dtype\":\"F16\",\"shape\":[256,256],\"data_offsets\":[0,131072]}}",
                RawSafetensors.every16BitPattern());
        try (SafetensorsFile st = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
            NDArray loaded = st.load("all", m);
            assertEquals(DataType.FLOAT32, loaded.getDataType());
            int nans = assertWidening("F16", SixteenBitWideningTest::float16Reference, st.floats("all"), loaded.toFloatArray());
            assertEquals(2 * 1023, nans, "F16 has 2 x 1023 NaN patterns");
        }
    }

    @Test
    void everyBfloat16ValueWidensExactly() throws IOException {
        Path file = RawSafetensors.write(dir.resolve("bf16.safetensors"),
                "{\"all\":{\"dtype\":\"BF16\",\"shape\":[65536],\"data_offsets\":[0,131072]}}",
                RawSafetensors.every16BitPattern());
        try (SafetensorsFile st = SafetensorsFile.open(file); NDManager m = NDManager.newBaseManager()) {
            NDArray loaded = st.load("all", m);
            assertEquals(DataType.FLOAT32, loaded.getDataType());
            // bfloat16 is by definition the top 16 bits of a float32
            int nans = assertWidening("BF16", bits -> Float.intBitsToFloat(bits << 16), st.floats("all"), loaded.toFloatArray());
            assertEquals(2 * 127, nans, "BF16 has 2 x 127 NaN patterns");
        }
    }

    /**
     * binary16 from its definition, in double: (-1)^s · 2^(e-15) · (1 + m/1024) for normal numbers,
     * (-1)^s · 2^-14 · m/1024 for subnormal ones, infinity or NaN for e = 31.
     */
    private static float float16Reference(int bits) {
        int sign = bits >>> 15;
        int e = (bits >>> 10) & 0x1f;
        int m = bits & 0x3ff;
        double magnitude;
        if (e == 0x1f) {
            magnitude = m == 0 ? Double.POSITIVE_INFINITY : Double.NaN;
        } else if (e == 0) {
            magnitude = Math.scalb((double) m, -24);
        } else {
            magnitude = Math.scalb(1024.0 + m, e - 25);
        }
        return (float) (sign == 1 ? -magnitude : magnitude);
    }

    /** Asserts both widenings bit for bit against the reference (any NaN for NaN); returns the NaN count. */
    private static int assertWidening(String type, java.util.function.IntFunction<Float> reference, float[] heap,
                                      float[] loaded) {
        int nans = 0;
        for (int bits = 0; bits < 65536; bits++) {
            float expected = reference.apply(bits);
            if (Float.isNaN(expected)) {
                nans++;
                assertTrue(Float.isNaN(heap[bits]) && Float.isNaN(loaded[bits]), type + " pattern " + bits + " is NaN");
                continue;
            }
            int want = Float.floatToRawIntBits(expected);
            assertEquals(want, Float.floatToRawIntBits(heap[bits]), type + " pattern " + bits + " via floats()");
            assertEquals(want, Float.floatToRawIntBits(loaded[bits]), type + " pattern " + bits + " via load()");
        }
        System.out.printf("parity %s widening: 65536 patterns, %d exact bit for bit both ways, %d NaN%n", type, 65536 - nans, nans);
        return nans;
    }
}

package dev.diffarm.engine.safetensors;

import java.nio.ByteBuffer;
import java.nio.FloatBuffer;

/**
 * Widening of the 16-bit float formats to float32, exact for every bit pattern, and rounding float32 to bfloat16.
 * BF16 is done here
 * because DJL's PyTorch binding aborts the JVM on a bfloat16 array; F16 here for the heap copies of
 * {@link SafetensorsFile#floats} (and of other small tensors read on the heap), while
 * {@link SafetensorsFile#load} lets libtorch widen it.
 */
public final class Float16 {
    private Float16() {
    }

    /** bfloat16 is the upper half of a float32: each value is shifted back into place. */
    public static void widenBf16(ByteBuffer bf16, int count, FloatBuffer into) {
        for (int i = 0; i < count; i++) {
            into.put(i, Float.intBitsToFloat((bf16.getShort(i * 2) & 0xffff) << 16));
        }
    }

    /** float32 to bfloat16, rounding to nearest, ties to even; NaN stays a (quiet) NaN of the same sign. */
    static short floatToBf16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if (Float.isNaN(value)) {
            return (short) ((bits >>> 16) | 0x0040);
        }
        int tieToEven = 0x7fff + ((bits >>> 16) & 1);
        return (short) ((bits + tieToEven) >>> 16);
    }

    /** IEEE half precision, little or big endian as {@code f16} is ordered. */
    public static void widenF16(ByteBuffer f16, int count, FloatBuffer into) {
        for (int i = 0; i < count; i++) {
            into.put(i, halfToFloat(f16.getShort(i * 2)));
        }
    }

    /**
     * IEEE 754 binary16 to binary32: the exponent is rebased from bias 15 to bias 127 (+112); subnormal
     * halves are m·2⁻²⁴, which float32 holds exactly; infinities and NaN payloads keep their bits.
     */
    static float halfToFloat(short half) {
        int h = half & 0xffff;
        int sign = (h & 0x8000) << 16;
        int exponent = (h >>> 10) & 0x1f;
        int mantissa = h & 0x3ff;
        if (exponent == 0x1f) {
            return Float.intBitsToFloat(sign | 0x7f800000 | (mantissa << 13));
        }
        if (exponent == 0) {
            float magnitude = mantissa * 0x1p-24f;
            return sign == 0 ? magnitude : -magnitude;
        }
        return Float.intBitsToFloat(sign | ((exponent + 112) << 23) | (mantissa << 13));
    }
}

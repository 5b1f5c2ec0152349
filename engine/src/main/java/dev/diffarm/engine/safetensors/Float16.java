package dev.diffarm.engine.safetensors;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;

/**
 * Widening of the 16-bit float formats to float32. BF16 is done here because DJL's PyTorch binding
 * aborts the JVM on a bfloat16 array; F16 on the heap for the small tensors read by {@code floats}.
 */
final class Float16 {
    private Float16() {
    }

    /** bfloat16 is the upper half of a float32: shift it back into place. */
    static FloatBuffer widenBf16(ByteBuffer bytes, int count) {
        ByteBuffer out = ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder());
        FloatBuffer floats = out.asFloatBuffer();
        for (int i = 0; i < count; i++) {
            floats.put(i, Float.intBitsToFloat((bytes.getShort(i * 2) & 0xffff) << 16));
        }
        return floats;
    }

    static FloatBuffer widenF16(ByteBuffer bytes, int count) {
        FloatBuffer out = FloatBuffer.allocate(count);
        for (int i = 0; i < count; i++) {
            out.put(i, halfToFloat(bytes.getShort(i * 2)));
        }
        return out;
    }

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

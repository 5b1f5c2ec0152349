package dev.diffarm.engine.random;

/**
 * Single-precision log, sine and cosine computed operation for operation as torch's AVX2 normal kernel
 * computes them: the Cephes {@code logf}/{@code sinf}/{@code cosf} polynomials of {@code avx_mathfun.h},
 * with the fused multiply-adds the compiler forms from them (a product feeding a sum is fused; where both
 * terms of a sum are products, the earlier one is fused and the later one rounded on its own).
 * {@link Math#fma} is exact on every JVM, so the results are bit-identical to torch's everywhere.
 *
 * <p>These are not general-purpose functions: they cover the Box-Muller domain only.
 */
final class CephesFloatMath {
    private static final float SQRT_HALF = (float) 0.707106781186547524;
    private static final float[] LOG_P = {
        7.0376836292E-2f, -1.1514610310E-1f, 1.1676998740E-1f, -1.2420140846E-1f, 1.4249322787E-1f,
        -1.6668057665E-1f, 2.0000714765E-1f, -2.4999993993E-1f, 3.3333331174E-1f,
    };
    /** ln 2 split in a part exact in a few bits and a small correction. */
    private static final float LN2_HIGH = 0.693359375f;
    private static final float LN2_LOW = -2.12194440e-4f;

    private static final float FOUR_OVER_PI = (float) 1.27323954473516;
    /** pi/4 split in three parts so that the octant reduction keeps its precision. */
    private static final float PI_4_A = 0.78515625f;
    private static final float PI_4_B = 2.4187564849853515625e-4f;
    private static final float PI_4_C = 3.77489497744594108e-8f;
    private static final float SIN_P0 = -1.9515295891E-4f;
    private static final float SIN_P1 = 8.3321608736E-3f;
    private static final float SIN_P2 = -1.6666654611E-1f;
    private static final float COS_P0 = 2.443315711809948E-005f;
    private static final float COS_P1 = -1.388731625493765E-003f;
    private static final float COS_P2 = 4.166664568298827E-002f;

    private CephesFloatMath() {
    }

    /** ln x for a positive normal x. */
    static float log(float x) {
        int bits = Float.floatToRawIntBits(x);
        float e = (float) ((bits >>> 23) - 127) + 1f;
        float m = Float.intBitsToFloat((bits & ~0x7f800000) | 0x3f000000); // x = m * 2^e, m in [0.5, 1)
        float t;
        if (m < SQRT_HALF) {
            e -= 1f;
            t = (m - 1f) + m;
        } else {
            t = m - 1f;
        }
        float z = t * t;
        float p = LOG_P[0];
        for (int i = 1; i < LOG_P.length; i++) {
            p = Math.fma(p, t, LOG_P[i]);
        }
        p *= t;
        float y = Math.fma(p, z, e * LN2_LOW);
        y = Math.fma(-z, 0.5f, y);
        return Math.fma(e, LN2_HIGH, t + y);
    }

    /** sin x for x >= 0 (Box-Muller angles lie in [0, 2 pi)). */
    static float sin(float x) {
        int octant = octant(x);
        float r = reduce(x, octant);
        float v = (octant & 2) == 0 ? sinPolynomial(r) : cosPolynomial(r);
        return (octant & 4) == 0 ? v : -v;
    }

    /** cos x for x >= 0. */
    static float cos(float x) {
        int octant = octant(x);
        float r = reduce(x, octant);
        float v = (octant & 2) == 0 ? cosPolynomial(r) : sinPolynomial(r);
        return ((octant - 2) & 4) == 0 ? -v : v;
    }

    /** The even multiple j of pi/4 nearest to x, such that x - j pi/4 lies in [-pi/4, pi/4]. */
    private static int octant(float x) {
        return ((int) (x * FOUR_OVER_PI) + 1) & ~1;
    }

    private static float reduce(float x, int octant) {
        float j = octant;
        float r = Math.fma(j, -PI_4_A, x);
        r = Math.fma(j, -PI_4_B, r);
        return Math.fma(j, -PI_4_C, r);
    }

    private static float sinPolynomial(float r) {
        float z = r * r;
        float p = Math.fma(Math.fma(SIN_P0, z, SIN_P1), z, SIN_P2) * z;
        return Math.fma(p, r, r);
    }

    private static float cosPolynomial(float r) {
        float z = r * r;
        float p = Math.fma(Math.fma(COS_P0, z, COS_P1), z, COS_P2) * z;
        return Math.fma(p, z, -(z * 0.5f)) + 1f;
    }
}

package dev.diffarm.engine.image;

import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;

/**
 * Numbers as A1111 prints them in an infotext: {@code str()} of the Python value. A whole number
 * arrives from A1111's web UI as a JSON integer and prints without a fraction ({@code CFG scale: 7});
 * any other value is a Python float and prints as {@code repr} does ({@code 7.5}, {@code 1e-05}).
 */
final class InfotextNumbers {
    private InfotextNumbers() {
    }

    static String format(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("an infotext number must be finite, got " + value);
        }
        if (value == Math.rint(value) && Math.abs(value) < 0x1p63) {
            return Long.toString((long) value);
        }
        return pythonRepr(value);
    }

    /**
     * Python's {@code repr(float)}: the fewest significant digits that read back as the same double
     * (the nearer candidate when two do), positional for decimal exponents -4..15, otherwise
     * {@code d.ddde-XX} with at least two exponent digits.
     */
    static String pythonRepr(double value) {
        if (value == 0) {
            return 1 / value < 0 ? "-0.0" : "0.0";
        }
        BigDecimal digits = shortestRoundTrip(value).stripTrailingZeros();
        int exponent = digits.precision() - digits.scale() - 1;
        if (exponent >= -4 && exponent < 16) {
            String plain = digits.toPlainString();
            return plain.contains(".") ? plain : plain + ".0";
        }
        String mantissa = digits.unscaledValue().abs().toString();
        String sign = value < 0 ? "-" : "";
        String fraction = mantissa.length() > 1 ? "." + mantissa.substring(1) : "";
        return String.format("%s%c%se%s%02d", sign, mantissa.charAt(0), fraction, exponent < 0 ? "-" : "+",
                Math.abs(exponent));
    }

    private static BigDecimal shortestRoundTrip(double value) {
        BigDecimal exact = new BigDecimal(value);
        for (int precision = 1; ; precision++) {
            BigDecimal below = exact.round(new MathContext(precision, RoundingMode.FLOOR));
            BigDecimal above = exact.round(new MathContext(precision, RoundingMode.CEILING));
            boolean belowReadsBack = below.doubleValue() == value;
            boolean aboveReadsBack = above.doubleValue() == value;
            if (belowReadsBack && aboveReadsBack) {
                return exact.round(new MathContext(precision, RoundingMode.HALF_EVEN));
            }
            if (belowReadsBack) {
                return below;
            }
            if (aboveReadsBack) {
                return above;
            }
        }
    }
}

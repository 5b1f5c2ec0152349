package dev.diffarm.engine.merge;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.Locale;

/**
 * How two or three checkpoints are combined, tensor by tensor, in float32, as AUTOMATIC1111's checkpoint merger
 * does. The formulas are arranged so that merging a checkpoint with itself (or adding a zero difference) gives it
 * back bit for bit, signed zeros included, and so that the ends of the weighted sum are exact.
 */
public enum MergeMode {
    /**
     * {@code A·(1-m) + B·m}, {@code 0 <= m <= 1}: computed as {@code A - (A - B)·m} below {@code m = 0.5} and
     * {@code B - (B - A)·(1 - m)} from there, which is exactly A at {@code m = 0}, exactly B at {@code m = 1}, and
     * exactly A wherever {@code A == B} (the differences are +0, and {@code x - (+0) = x}).
     */
    WEIGHTED_SUM("weighted-sum", 2) {
        @Override
        NDArray apply(NDArray a, NDArray b, NDArray c, double m) {
            return m < 0.5 ? a.sub(a.sub(b).mul((float) m)) : b.sub(b.sub(a).mul((float) (1 - m)));
        }

        @Override
        void checkMultiplier(double m) {
            if (!(m >= 0 && m <= 1)) {
                throw new IllegalArgumentException("--m " + m + ": the weighted sum takes 0 <= m <= 1 (the share of B)");
            }
        }
    },
    /**
     * {@code A + (B - C)·m}, {@code m >= 0} (1 adds the whole difference): computed as {@code A - (C - B)·m}, which
     * is exactly A wherever {@code B == C}.
     */
    ADD_DIFFERENCE("add-difference", 3) {
        @Override
        NDArray apply(NDArray a, NDArray b, NDArray c, double m) {
            return a.sub(c.sub(b).mul((float) m));
        }

        @Override
        void checkMultiplier(double m) {
            if (!(m >= 0) || Double.isInfinite(m)) {
                throw new IllegalArgumentException("--m " + m + ": add difference takes a finite m >= 0 (1 adds all of B - C)");
            }
        }
    };

    private final String cliName;
    private final int inputs;

    MergeMode(String cliName, int inputs) {
        this.cliName = cliName;
        this.inputs = inputs;
    }

    /** The merged tensor; {@code c} is null for the weighted sum. */
    abstract NDArray apply(NDArray a, NDArray b, NDArray c, double m);

    /** @throws IllegalArgumentException for a multiplier outside the mode's range */
    abstract void checkMultiplier(double m);

    /** How many checkpoints the mode combines: A and B, or A, B and C. */
    public int inputs() {
        return inputs;
    }

    /** The name the command line uses: {@code weighted-sum}, {@code add-difference}. */
    public String cliName() {
        return cliName;
    }

    /** @throws IllegalArgumentException naming the modes there are */
    public static MergeMode parse(String name) {
        for (MergeMode mode : values()) {
            if (mode.cliName.equals(name.toLowerCase(Locale.ROOT))) {
                return mode;
            }
        }
        throw new IllegalArgumentException("--mode " + name + ": expected one of "
                + String.join(", ", Arrays.stream(values()).map(MergeMode::cliName).toList()));
    }
}

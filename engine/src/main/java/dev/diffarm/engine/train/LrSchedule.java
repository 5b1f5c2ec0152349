package dev.diffarm.engine.train;

import java.util.Arrays;
import java.util.Locale;

/**
 * diffusers' {@code get_scheduler} schedules: the factor {@code f(s)} of the base learning rate at optimizer step s
 * (0-based), as its {@code LambdaLR} applies it ({@code lr = base · f(s)}). {@code w} = warm-up steps, {@code T} =
 * training steps; every schedule but {@code constant} rises as {@code s / w} during the warm-up.
 */
public enum LrSchedule {
    /** f = 1 (no warm-up). */
    CONSTANT,
    /** f = 1 after the warm-up. */
    CONSTANT_WITH_WARMUP,
    /** f = (T − s) / (T − w), not below 0. */
    LINEAR,
    /** Half a cosine from 1 to 0: f = ½(1 + cos(π · (s − w) / (T − w))). */
    COSINE,
    /** One cosine from 1 to 0 per cycle ({@code num_cycles} 1, diffusers' default). */
    COSINE_WITH_RESTARTS,
    /** (1 − progress)^1 from the base down to lr_end 1e-7, diffusers' defaults. */
    POLYNOMIAL;

    private static final double POLYNOMIAL_LR_END = 1e-7;
    private static final double POLYNOMIAL_POWER = 1.0;

    /** The schedule of a diffusers/kohya name ({@code cosine_with_restarts}, ...). */
    public static LrSchedule named(String name) {
        try {
            return valueOf(name.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("lrScheduler: '" + name + "' is not one of "
                    + Arrays.stream(values()).map(LrSchedule::diffusersName).toList());
        }
    }

    public String diffusersName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * @param step       the optimizer step, from 0
     * @param warmup     warm-up steps
     * @param total      training steps
     * @param baseLr     the base learning rate (the polynomial schedule's floor is relative to it)
     * @return the learning rate of {@code step}
     */
    public double learningRate(long step, long warmup, long total, double baseLr) {
        return baseLr * factor(step, warmup, total, baseLr);
    }

    private double factor(long s, long w, long t, double baseLr) {
        if (this == CONSTANT) {
            return 1.0;
        }
        if (s < w) {
            return (double) s / Math.max(1, w);
        }
        double progress = (double) (s - w) / Math.max(1, t - w);
        return switch (this) {
            case CONSTANT_WITH_WARMUP -> 1.0;
            case LINEAR -> Math.max(0.0, (double) (t - s) / Math.max(1, t - w));
            case COSINE -> Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * 2.0 * 0.5 * progress)));
            case COSINE_WITH_RESTARTS -> progress >= 1.0 ? 0.0
                    : Math.max(0.0, 0.5 * (1.0 + Math.cos(Math.PI * ((1.0 * progress) % 1.0))));
            case POLYNOMIAL -> polynomial(s, w, t, baseLr);
            case CONSTANT -> 1.0;
        };
    }

    private static double polynomial(long s, long w, long t, double baseLr) {
        if (!(baseLr > POLYNOMIAL_LR_END)) {
            throw new IllegalArgumentException("learningRate: the polynomial schedule needs a rate above "
                    + POLYNOMIAL_LR_END + " (its end value), got " + baseLr);
        }
        if (s > t) {
            return POLYNOMIAL_LR_END / baseLr;
        }
        double range = baseLr - POLYNOMIAL_LR_END;
        double remaining = 1.0 - (double) (s - w) / (t - w);
        return (range * Math.pow(remaining, POLYNOMIAL_POWER) + POLYNOMIAL_LR_END) / baseLr;
    }
}

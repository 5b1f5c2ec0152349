package dev.diffarm.engine.pipeline;

import java.util.Locale;

/**
 * How a pass that starts from an image counts its steps at a denoising strength: which schedule it builds and
 * which of its steps it runs.
 */
public enum StepsRule {
    /**
     * diffusers' {@code get_timesteps}: a schedule of {@code steps} levels, of which the last
     * {@code int(steps * strength)} run (20 steps at 0.55: the last 11 of 20).
     */
    DIFFUSERS {
        @Override
        StepCut cut(int steps, double strength) {
            int run = Math.min((int) (steps * strength), steps);
            return new StepCut(steps, steps - run);
        }
    },
    /**
     * AUTOMATIC1111's {@code setup_img2img_steps} when the steps are given (as for a hires pass): a schedule of
     * {@code int(steps / min(strength, 0.999))} levels, of which the last {@code steps} run (20 at 0.55: the last
     * 20 of 36).
     */
    A1111 {
        @Override
        StepCut cut(int steps, double strength) {
            int total = (int) (steps / Math.min(strength, 0.999));
            return new StepCut(total, total - steps);
        }
    };

    /**
     * The schedule length and the first step run.
     *
     * @throws IllegalArgumentException when no step would run
     */
    abstract StepCut cut(int steps, double strength);

    /** The rule named {@code a1111} or {@code diffusers}, in any case. */
    public static StepsRule named(String name) {
        return Labels.find(values(), StepsRule::label, StepsRule::label, name, "steps rule");
    }

    /** The name users write: {@code a1111}, {@code diffusers}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * A schedule of {@code total} steps of which steps {@code start..total-1} run.
     */
    record StepCut(int total, int start) {
        StepCut {
            if (start >= total || total < 1) {
                throw new IllegalArgumentException("denoising strength leaves no step to run (" + total
                        + "-step schedule from step " + start + "): raise the strength or the steps");
            }
        }

        int run() {
            return total - start;
        }
    }
}

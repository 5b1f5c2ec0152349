package dev.diffarm.engine.schedule;

import java.util.ArrayList;
import java.util.List;

/**
 * The {@code timesteps} and {@code sigmas} lists a diffusers scheduler holds after {@code set_timesteps}, rebuilt
 * from diffarm's plain schedule, so that the plain form can be checked against the references: PLMS repeats
 * its second timestep, Heun repeats the inner levels, DPM2 and DPM2 a interleave the timesteps of their
 * midpoint levels (computed here in float32, as torch does).
 */
final class DiffusersForm {
    private DiffusersForm() {
    }

    static double[] timesteps(DiffusersScheduler scheduler, Schedule schedule) {
        double[] t = schedule.timesteps();
        int n = t.length;
        List<Double> result = new ArrayList<>();
        result.add(t[0]);
        switch (scheduler) {
            case PNDM -> {
                for (int i = 1; i < n; i++) {
                    result.add(t[i]);
                    if (i == 1) {
                        result.add(t[i]);
                    }
                }
            }
            case HEUN -> {
                for (int i = 1; i < n; i++) {
                    result.add(t[i]);
                    result.add(t[i]);
                }
            }
            case KDPM2 -> {
                for (int i = 1; i < n; i++) {
                    result.add(schedule.timestepOf(geometricMidpoint(level(schedule, i), level(schedule, i - 1))));
                    result.add(t[i]);
                }
            }
            case KDPM2_ANCESTRAL -> {
                for (int i = 1; i < n; i++) {
                    float sigma = level(schedule, i - 1);
                    result.add(schedule.timestepOf(geometricMidpoint(sigma, sigmaDown(sigma, level(schedule, i)))));
                    result.add(t[i]);
                }
            }
            default -> {
                for (int i = 1; i < n; i++) {
                    result.add(t[i]);
                }
            }
        }
        return result.stream().mapToDouble(Double::doubleValue).toArray();
    }

    static double[] sigmas(DiffusersScheduler scheduler, Schedule schedule) {
        double[] s = schedule.sigmas().toArray();
        int n = s.length - 1;
        List<Double> result = new ArrayList<>();
        result.add(s[0]);
        switch (scheduler) {
            case HEUN -> {
                for (int i = 1; i < n; i++) {
                    result.add(s[i]);
                    result.add(s[i]);
                }
                result.add(s[n]);
            }
            case KDPM2, KDPM2_ANCESTRAL -> {
                for (int i = 1; i <= n; i++) {
                    result.add(s[i]);
                    result.add(s[i]);
                }
                result.add(s[n]);
            }
            default -> {
                for (int i = 1; i <= n; i++) {
                    result.add(s[i]);
                }
            }
        }
        return result.stream().mapToDouble(Double::doubleValue).toArray();
    }

    private static float level(Schedule schedule, int i) {
        return (float) schedule.sigmas().get(i);
    }

    /** {@code a.log().lerp(b.log(), 0.5).exp()} in float32; torch's lerp at weight 0.5 counts back from b. */
    private static float geometricMidpoint(float a, float b) {
        float logA = (float) Math.log(a);
        float logB = (float) Math.log(b);
        return (float) Math.exp(logB - (logB - logA) * 0.5f);
    }

    /** The ancestral step's deterministic target level, from KDPM2AncestralDiscreteScheduler's float32 tensors. */
    private static float sigmaDown(float sigma, float next) {
        float up = (float) Math.sqrt(next * next * (sigma * sigma - next * next) / (sigma * sigma));
        return (float) Math.sqrt(next * next - up * up);
    }
}

package dev.diffarm.engine.schedule;

import static dev.diffarm.engine.schedule.SchedulerConfigTest.assertContains;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** What the references do not cover: other spacings and options, and what diffarm refuses. */
class ScheduleTest {
    private static final TrainingSchedule SD15 = TrainingSchedule.of(SchedulerConfig.sd15());

    private static Schedule sd15(String className, Map<String, Object> options, int steps) {
        return Schedule.of(SchedulerConfig.sd15(className, options), steps);
    }

    private static double vpSigma(int t) {
        double abar = SD15.alphaCumprod(t);
        return Math.sqrt((1 - abar) / abar);
    }

    @Test
    void ddimLevelsAreThoseOfItsTimestepsAndEndAtTheFirstTrainingAlpha() {
        Schedule ddim = sd15("DDIMScheduler", Map.of(), 7);
        assertArrayEquals(new double[] {853, 711, 569, 427, 285, 143, 1}, ddim.timesteps());
        for (int i = 0; i < 7; i++) {
            assertEquals(vpSigma((int) ddim.timestep(i)), ddim.sigmas().get(i));
        }
        assertEquals(vpSigma(0), ddim.sigmas().last());
        assertEquals(LatentForm.VARIANCE_PRESERVING, ddim.latentForm());
        assertEquals(1 / Math.sqrt(SD15.alphaCumprod(853)), ddim.initNoiseSigma(), 1e-12);
        assertEquals(0, sd15("DDIMScheduler", Map.of("set_alpha_to_one", true), 7).sigmas().last());
    }

    @Test
    void ddimTrailingWorksWhereTheStepsDivideTheTrainingTimesteps() {
        Schedule ddim = sd15("DDIMScheduler", Map.of("timestep_spacing", "trailing"), 20);
        assertEquals(999, ddim.timestep(0));
        assertEquals(49, ddim.timestep(19));
        assertEquals(vpSigma(0), ddim.sigmas().last());
    }

    @Test
    void ddimStepsThatSkipLevelsAreRefused() {
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> sd15("DDIMScheduler", Map.of("timestep_spacing", "trailing"), 7));
        assertContains(e, "DDIMScheduler with timestep_spacing = trailing and 7 steps goes from timestep 999 to 857");
        assertThrows(UnsupportedOperationException.class, () -> sd15("PNDMScheduler", Map.of("timestep_spacing", "linspace"), 7));
    }

    @Test
    void plmsNeedsSkipPrkStepsAndOtherwiseSharesDdimsLevels() {
        assertEquals(sd15("DDIMScheduler", Map.of(), 20).sigmas().toString(), sd15("PNDMScheduler", Map.of(), 20).sigmas().toString());
        assertContains(assertThrows(UnsupportedOperationException.class,
                () -> sd15("PNDMScheduler", Map.of("skip_prk_steps", false), 20)), "skip_prk_steps = false");
    }

    @Test
    void eulerLinspaceKeepsFractionalTimestepsAndStartsAtSigmaMax() {
        Schedule euler = sd15("EulerDiscreteScheduler", Map.of("timestep_spacing", "linspace"), 7);
        assertArrayEquals(new double[] {999, 832.5, 666, 499.5, 333, 166.5, 0}, euler.timesteps());
        float between = (float) (SD15.sigma(832) + 0.5 * (SD15.sigma(833) - SD15.sigma(832)));
        assertEquals(between, euler.sigmas().get(1));
        assertEquals(euler.sigmas().max(), euler.initNoiseSigma());
        assertEquals(0, euler.sigmas().last());
        assertEquals(LatentForm.SIGMA, euler.latentForm());
    }

    @Test
    void trailingAndLinspaceRoundAsNumpyDoes() {
        assertArrayEquals(new double[] {999, 856, 713, 570, 428, 285, 142},
                sd15("EulerAncestralDiscreteScheduler", Map.of("timestep_spacing", "trailing"), 7).timesteps());
        assertArrayEquals(new double[] {999, 856, 714, 571, 428, 285, 143},
                sd15("DPMSolverMultistepScheduler", Map.of("timestep_spacing", "linspace"), 7).timesteps());
    }

    @Test
    void eulerKarrasHonoursSigmaBoundsAndFinalSigmaType() {
        Schedule euler = sd15("EulerDiscreteScheduler",
                Map.of("use_karras_sigmas", true, "sigma_min", 0.1, "sigma_max", 10.0, "final_sigmas_type", "sigma_min"), 10);
        assertEquals(10.0f, euler.sigmas().get(0));
        assertEquals(0.1f, euler.sigmas().get(9));
        assertEquals((float) SD15.sigma(0), euler.sigmas().last());
        assertEquals(SD15.timestepOf(euler.sigmas().get(3)), euler.timestep(3), 1e-4);
    }

    @Test
    void eulerOptionsWithoutASigmaFormAreRefused() {
        assertContains(assertThrows(UnsupportedOperationException.class,
                () -> sd15("EulerDiscreteScheduler", Map.of("interpolation_type", "log_linear"), 20)), "log_linear");
        assertContains(assertThrows(UnsupportedOperationException.class,
                () -> sd15("EulerDiscreteScheduler", Map.of("timestep_type", "continuous", "prediction_type", "v_prediction"), 20)),
                "timestep_type = continuous");
        assertEquals(sd15("EulerDiscreteScheduler", Map.of(), 20),
                sd15("EulerDiscreteScheduler", Map.of("timestep_type", "continuous"), 20));
    }

    @Test
    void kdpm2KarrasRoundsItsTimesteps() {
        Schedule dpm2 = sd15("KDPM2DiscreteScheduler", Map.of("use_karras_sigmas", true), 10);
        for (double t : dpm2.timesteps()) {
            assertEquals(Math.rint(t), t);
        }
        Schedule heun = sd15("HeunDiscreteScheduler", Map.of("use_karras_sigmas", true), 10);
        assertTrue(heun.timestep(1) != Math.rint(heun.timestep(1)), "Heun keeps fractional Karras timesteps");
    }

    @Test
    void multistepFinalLevels() {
        Schedule uniPcKarras = sd15("UniPCMultistepScheduler", Map.of("use_karras_sigmas", true), 10);
        assertEquals(uniPcKarras.sigmas().get(9), uniPcKarras.sigmas().last(), "0.29.2's UniPC Karras repeats sigma_min");
        Schedule dpm = sd15("DPMSolverMultistepScheduler", Map.of("final_sigmas_type", "sigma_min"), 10);
        assertEquals((float) SD15.sigma(0), dpm.sigmas().last());
        assertEquals(Math.sqrt(1 + dpm.sigmas().max() * dpm.sigmas().max()), dpm.initNoiseSigma());
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> sd15("DPMSolverMultistepScheduler", Map.of("algorithm_type", "dpmsolver"), 10)),
                "final_sigmas_type = zero is not supported with algorithm_type = dpmsolver");
    }

    @Test
    void luLambdasAreEvenInLogSigma() {
        Schedule lu = sd15("DPMSolverMultistepScheduler", Map.of("use_lu_lambdas", true), 10);
        double[] s = lu.sigmas().toArray();
        double first = Math.log(s[0] / s[1]);
        for (int i = 1; i < 9; i++) {
            assertEquals(first, Math.log(s[i] / s[i + 1]), 1e-6);
        }
        assertEquals((float) SD15.sigma(999), s[0], 1e-5);
    }

    @Test
    void clippedLambdaLowersTheHighestTimestep() {
        Map<String, Object> cosine = Map.of("beta_schedule", "squaredcos_cap_v2", "timestep_spacing", "linspace");
        Schedule unclipped = sd15("DPMSolverMultistepScheduler", cosine, 10);
        Schedule clipped = sd15("DPMSolverMultistepScheduler", Map.of("beta_schedule", "squaredcos_cap_v2",
                "timestep_spacing", "linspace", "lambda_min_clipped", -5.1), 10);
        assertEquals(999, unclipped.timestep(0));
        assertTrue(clipped.timestep(0) < 999, "clipped start: " + clipped.timestep(0));
    }

    @Test
    void timestepOfIsExactOnTheListAndInterpolatesElsewhere() {
        Schedule dpm2 = sd15("KDPM2DiscreteScheduler", Map.of(), 7);
        for (int i = 0; i < 7; i++) {
            assertEquals(dpm2.timestep(i), dpm2.timestepOf(dpm2.sigmas().get(i)));
        }
        double mid = Math.sqrt(dpm2.sigmas().get(0) * dpm2.sigmas().get(1));
        assertEquals(SD15.timestepOf(mid), dpm2.timestepOf(mid));
    }

    @Test
    void stepsOutsideTheTrainingRangeAreRefused() {
        assertContains(assertThrows(IllegalArgumentException.class, () -> sd15("EulerDiscreteScheduler", Map.of(), 0)),
                "steps = 0: expected 1..1000");
        assertContains(assertThrows(IllegalArgumentException.class, () -> sd15("EulerDiscreteScheduler", Map.of(), 1001)),
                "steps = 1001");
        assertContains(assertThrows(IllegalArgumentException.class,
                () -> sd15("DDIMScheduler", Map.of("steps_offset", 60), 20)),
                "timestep 1010 (timestep_spacing = leading, steps_offset = 60) is outside the training timesteps 0..999");
    }

    @Test
    void aSingleStepWorksForEveryClass() {
        for (DiffusersScheduler scheduler : DiffusersScheduler.values()) {
            Schedule one = scheduler.schedule(SchedulerConfig.sd15(scheduler.className(), Map.of()), 1);
            assertEquals(1, one.steps(), scheduler.className());
        }
    }
}

package dev.diffarm.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainingScheduleTest {
    private static final TrainingSchedule SD15 = TrainingSchedule.of(SchedulerConfig.sd15());

    @Test
    void sd15EndsAtTheSigmaTheReferencesStartKarrasFrom() {
        // sigmas[0] of the DPM++ 2M Karras references: the largest training sigma, in float32.
        assertEquals(14.614645f, (float) SD15.sigma(999));
        assertEquals(0.029167533f, (float) SD15.sigma(0));
        assertEquals(1000, SD15.size());
    }

    @Test
    void scaledLinearBetasRunFromStartToEndAndAlphasCumprodIsTheirRunningProduct() {
        float[] betas = SD15.betas();
        assertEquals((float) Math.sqrt(0.00085) * (float) Math.sqrt(0.00085), betas[0]);
        assertEquals((float) Math.sqrt(0.012) * (float) Math.sqrt(0.012), betas[999]);
        float[] abar = SD15.alphasCumprod();
        assertEquals(1f - betas[0], abar[0]);
        double product = 1;
        for (int t = 0; t < 1000; t++) {
            assertTrue(t == 0 || betas[t] > betas[t - 1], "betas increase");
            product *= 1f - betas[t];
            assertEquals((float) product, abar[t], "abar[" + t + "]");
        }
    }

    @Test
    void linearBetasHitBothEnds() {
        TrainingSchedule linear = TrainingSchedule.of(SchedulerConfig.parse(
                "{\"_class_name\": \"DDIMScheduler\", \"beta_schedule\": \"linear\", \"beta_start\": 0.0001, \"beta_end\": 0.02}"));
        float[] betas = linear.betas();
        assertEquals(0.0001f, betas[0]);
        assertEquals(0.02f, betas[999]);
        assertEquals(0.0001 + (0.02 - 0.0001) * 500 / 999, betas[500], 1e-9);
    }

    @Test
    void cosineBetasFollowTheAlphaBarRatioAndAreCapped() {
        TrainingSchedule cosine = TrainingSchedule.of(SchedulerConfig.parse("{\"beta_schedule\": \"squaredcos_cap_v2\"}"));
        float[] betas = cosine.betas();
        double f0 = Math.pow(Math.cos(0.008 / 1.008 * Math.PI / 2), 2);
        double f1 = Math.pow(Math.cos((0.001 + 0.008) / 1.008 * Math.PI / 2), 2);
        assertEquals((float) (1 - f1 / f0), betas[0]);
        assertEquals(0.999f, betas[999]);
    }

    @Test
    void trainedBetasAreUsedAsGiven() {
        TrainingSchedule trained = TrainingSchedule.of(SchedulerConfig.parse(
                "{\"num_train_timesteps\": 4, \"trained_betas\": [0.1, 0.2, 0.3, 0.4]}"));
        assertArrayEquals(new float[] {0.1f, 0.2f, 0.3f, 0.4f}, trained.betas());
        assertEquals((float) ((double) (1f - 0.1f) * (1f - 0.2f)), (float) trained.alphaCumprod(1));
    }

    @Test
    void zeroTerminalSnrAsEachClassTreatsIt() {
        Map<String, Object> rescale = Map.of("rescale_betas_zero_snr", true);
        TrainingSchedule ddim = TrainingSchedule.of(SchedulerConfig.sd15("DDIMScheduler", rescale));
        TrainingSchedule euler = TrainingSchedule.of(SchedulerConfig.sd15("EulerDiscreteScheduler", rescale));
        TrainingSchedule lms = TrainingSchedule.of(SchedulerConfig.sd15("LMSDiscreteScheduler", rescale));
        assertEquals(0.0, ddim.alphaCumprod(999));
        assertEquals(0x1p-24, euler.alphaCumprod(999));
        assertEquals(4096, euler.sigma(999), 1e-3);
        assertEquals(SD15, lms, "LMS has no zero-SNR option: diffusers ignores it");
        // The rescale keeps abar[0] and shifts the rest down.
        assertEquals(SD15.alphaCumprod(0), ddim.alphaCumprod(0), 1e-6);
        assertTrue(ddim.alphaCumprod(500) < SD15.alphaCumprod(500));
    }

    @Test
    void timestepOfInvertsTheTrainingSigmasAndHoldsOutsideThem() {
        double worst = 0;
        for (int t = 0; t < 1000; t++) {
            worst = Math.max(worst, Math.abs(SD15.timestepOf(SD15.sigma(t)) - t));
        }
        System.out.printf("timestepOf(sigma(t)) - t: max %.3g%n", worst);
        assertTrue(worst < 1e-3, "timestepOf inverts sigma(t): " + worst);
        assertEquals(0, SD15.timestepOf(1e-4));
        assertEquals(0, SD15.timestepOf(0));
        assertEquals(999, SD15.timestepOf(100));
        double between = SD15.timestepOf(Math.sqrt(SD15.sigma(500) * SD15.sigma(501)));
        assertTrue(between > 500 && between < 501, "a level between two training sigmas: " + between);
    }
}

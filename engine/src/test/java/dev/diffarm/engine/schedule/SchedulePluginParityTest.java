package dev.diffarm.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diffarm.api.NoiseSchedule;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.ReferenceRuns;
import dev.diffarm.engine.testing.ReferenceRuns.Run;
import dev.diffarm.engine.testing.TestSamplers;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The noise schedules of the samplers-k plugin (loaded through PF4J), placed by the engine on a scheduler class,
 * against diffusers' own options for the same levels: the Karras schedule against the reference runs made with
 * {@code use_karras_sigmas} (timesteps, sigmas and init_noise_sigma within 1e-6) and against the engine's own
 * reproduction of that option for every class that has it; the Exponential schedule against DPM-Solver's
 * {@code use_lu_lambdas}.
 */
class SchedulePluginParityTest {
    private static final double TOLERANCE = 1e-6;

    private static NoiseSchedule schedule(String name) {
        return TestSamplers.registry().resolve("Euler", Optional.of(name)).schedule().orElseThrow().schedule();
    }

    static Stream<Run> karrasRuns() {
        return ReferenceRuns.all().stream().filter(run -> Boolean.TRUE.equals(run.schedulerOptions().get("use_karras_sigmas")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("karrasRuns")
    void karrasScheduleReproducesTheRun(Run run) throws IOException {
        JsonNode json = ReferenceRuns.JSON.readTree(Fixtures.sdTiny(run.schedulerConfig()).toFile());
        Map<String, Object> options = new LinkedHashMap<>(run.schedulerOptions());
        options.put("use_karras_sigmas", false);
        SchedulerConfig plain = SchedulerConfig.fromConfig(json, run.diffusersClass(), options);
        DiffusersScheduler scheduler = DiffusersScheduler.of(run.diffusersClass());
        Schedule viaPlugin = Schedule.of(plain, run.steps(), schedule("karras"));
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(run.file()))) {
            assertClose(run + " timesteps", reference.floats("timesteps"), DiffusersForm.timesteps(scheduler, viaPlugin));
            assertClose(run + " sigmas", reference.floats("sigmas"), DiffusersForm.sigmas(scheduler, viaPlugin));
            assertClose(run + " init_noise_sigma", reference.floats("init_noise_sigma"), new double[] {
                    viaPlugin.initNoiseSigma() / viaPlugin.latentForm().toSigmaForm(viaPlugin.sigmas().max())});
        }
        SchedulerConfig withKarras = SchedulerConfig.fromConfig(json, run.diffusersClass(), run.schedulerOptions());
        assertEquals(Schedule.of(withKarras, run.steps()), viaPlugin, "the plugin's Karras levels, bit for bit");
    }

    /** Every class with a Karras option, on SD 1.5's config: the same schedule bit for bit (UniPC: but its end). */
    @ParameterizedTest
    @CsvSource({"LMSDiscreteScheduler, 7", "LMSDiscreteScheduler, 20", "HeunDiscreteScheduler, 9",
            "KDPM2DiscreteScheduler, 9", "KDPM2AncestralDiscreteScheduler, 9", "EulerDiscreteScheduler, 13",
            "DPMSolverMultistepScheduler, 11", "UniPCMultistepScheduler, 11"})
    void karrasScheduleIsTheClassesOwnKarrasOption(String className, int steps) {
        Schedule own = Schedule.of(SchedulerConfig.sd15(className, Map.of("use_karras_sigmas", true)), steps);
        Schedule viaPlugin = Schedule.of(SchedulerConfig.sd15(className, Map.of()), steps, schedule("Karras"));
        assertArrayEquals(own.timesteps(), viaPlugin.timesteps(), className + " timesteps");
        double[] ownLevels = own.sigmas().toArray();
        double[] pluginLevels = viaPlugin.sigmas().toArray();
        assertArrayEquals(Arrays.copyOf(ownLevels, steps), Arrays.copyOf(pluginLevels, steps), className + " levels");
        assertEquals(0, pluginLevels[steps], "the plugin's schedule ends at 0");
        if (!className.equals("UniPCMultistepScheduler")) {
            assertEquals(own, viaPlugin);
        }
        System.out.printf("%s, %d steps: Karras schedule = use_karras_sigmas, levels %.6g .. %.6g%n", className, steps,
                pluginLevels[0], pluginLevels[steps - 1]);
    }

    @ParameterizedTest
    @CsvSource({"7", "20"})
    void exponentialScheduleIsDpmSolversLuLambdas(int steps) {
        Schedule own = Schedule.of(SchedulerConfig.sd15("DPMSolverMultistepScheduler", Map.of("use_lu_lambdas", true)),
                steps);
        Schedule viaPlugin = Schedule.of(SchedulerConfig.sd15("DPMSolverMultistepScheduler", Map.of()), steps,
                schedule("exponential"));
        assertClose("Lu lambdas, " + steps + " steps, sigmas", toFloats(own.sigmas().toArray()),
                viaPlugin.sigmas().toArray());
        assertArrayEquals(own.timesteps(), viaPlugin.timesteps(), "timesteps");
    }

    private static float[] toFloats(double[] values) {
        float[] result = new float[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = (float) values[i];
        }
        return result;
    }

    /** Max over elements of |expected - actual| / |expected| (absolute where expected is 0), at most 1e-6. */
    private static void assertClose(String what, float[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = 0;
        for (int i = 0; i < expected.length; i++) {
            worst = Math.max(worst, Math.abs(expected[i] - actual[i]) / (expected[i] == 0 ? 1 : Math.abs(expected[i])));
        }
        System.out.printf("parity %s: max relative err %.3g%n", what, worst);
        assertTrue(worst <= TOLERANCE, what + ": relative error " + worst);
    }
}

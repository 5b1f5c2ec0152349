package dev.diffarm.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.ReferenceRuns;
import dev.diffarm.engine.testing.ReferenceRuns.Run;
import java.io.IOException;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every txt2img run of the references: the schedule diffarm computes from the run's scheduler config and
 * options against the {@code timesteps}, {@code sigmas} and {@code init_noise_sigma} diffusers 0.29.2 recorded.
 */
class DiffusersScheduleParityTest {
    /** Relative to each value; the float32 values agree bit for bit where both sides compute the same float32. */
    private static final double TOLERANCE = 1e-6;
    /** Per sampler: the largest error seen in timesteps, sigmas and init_noise_sigma, over all its runs. */
    private static final Map<String, double[]> WORST = new TreeMap<>();

    static Stream<Run> runs() {
        return ReferenceRuns.all().stream();
    }

    /** The runs whose sigmas are training sigmas at integer timesteps: no Karras levels, not DPM2's shifted list. */
    static Stream<Run> runsOnTrainingSigmas() {
        return runs().filter(run -> {
            SchedulerConfig config = SchedulerConfig.read(Fixtures.sdTiny(run.schedulerConfig()));
            try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(run.file()))) {
                return reference.names().contains("sigmas") && !config.useKarrasSigmas()
                        && !run.diffusersClass().startsWith("KDPM2");
            }
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void scheduleMatchesTheRun(Run run) throws IOException {
        JsonNode configJson = ReferenceRuns.JSON.readTree(Fixtures.sdTiny(run.schedulerConfig()).toFile());
        SchedulerConfig config = SchedulerConfig.fromConfig(configJson, run.diffusersClass(), run.schedulerOptions());
        DiffusersScheduler scheduler = DiffusersScheduler.of(run.diffusersClass());
        Schedule schedule = scheduler.schedule(config, run.steps());
        assertEquals(run.steps(), schedule.steps(), "steps");

        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(run.file()))) {
            assertEquals(config, SchedulerConfig.parse(reference.metadata().get("scheduler_config")),
                    "the run's own scheduler_config metadata");
            double[] errors = new double[3];
            errors[0] = assertClose(run + " timesteps", reference.floats("timesteps"),
                    DiffusersForm.timesteps(scheduler, schedule));
            if (reference.names().contains("sigmas")) {
                errors[1] = assertClose(run + " sigmas", reference.floats("sigmas"),
                        DiffusersForm.sigmas(scheduler, schedule));
            } else {
                errors[1] = Double.NaN;
            }
            double diffusersInitNoiseSigma = schedule.initNoiseSigma()
                    / schedule.latentForm().toSigmaForm(schedule.sigmas().max());
            errors[2] = assertClose(run + " init_noise_sigma", reference.floats("init_noise_sigma"),
                    new double[] {diffusersInitNoiseSigma});
            record(run.sampler(), errors);
        }
    }

    /**
     * Without Karras levels a run's sigmas are training sigmas at integer timesteps, which diffusers computes in
     * float32 from torch's betas and cumprod: those must agree bit for bit, which a 1e-6 bar alone would not show.
     * (DPM2's sigma list is not aligned with its timesteps; its levels are Euler's, checked here.)
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runsOnTrainingSigmas")
    void trainingSigmasAreBitExact(Run run) {
        SchedulerConfig config = SchedulerConfig.read(Fixtures.sdTiny(run.schedulerConfig()));
        TrainingSchedule training = TrainingSchedule.of(config);
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(run.file()))) {
            float[] timesteps = reference.floats("timesteps");
            float[] sigmas = reference.floats("sigmas");
            for (int i = 0; i < timesteps.length; i++) {
                int t = (int) timesteps[i];
                assertEquals(t, timesteps[i], "an integer timestep");
                assertEquals(sigmas[i], (float) training.sigma(t), () -> run + ": sigma at timestep " + t);
            }
            System.out.printf("%s: %d training sigmas equal bit for bit%n", run, timesteps.length);
        }
    }

    private static synchronized void record(String sampler, double[] errors) {
        double[] worst = WORST.computeIfAbsent(sampler, s -> new double[] {0, Double.NaN, 0});
        for (int i = 0; i < errors.length; i++) {
            if (!Double.isNaN(errors[i])) {
                worst[i] = Double.isNaN(worst[i]) ? errors[i] : Math.max(worst[i], errors[i]);
            }
        }
    }

    @AfterAll
    static void printWorstErrors() {
        System.out.println("schedule parity, max relative error per sampler (timesteps / sigmas / init_noise_sigma):");
        WORST.forEach((sampler, e) -> System.out.printf("  %-20s %.3g / %s / %.3g%n", sampler, e[0],
                Double.isNaN(e[1]) ? "(none recorded)" : String.format("%.3g", e[1]), e[2]));
    }

    /** Max over elements of |expected - actual| / |expected| (absolute where expected is 0); asserts it is small. */
    private static double assertClose(String what, float[] expected, double[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        double worst = 0;
        int at = 0;
        for (int i = 0; i < expected.length; i++) {
            double err = Math.abs(expected[i] - actual[i]) / (expected[i] == 0 ? 1 : Math.abs(expected[i]));
            if (!(err <= worst)) {
                worst = err;
                at = i;
            }
        }
        System.out.printf("parity %s: max relative err %.3g%n", what, worst);
        final int worstAt = at;
        final double error = worst;
        assertTrue(error <= TOLERANCE, () -> String.format("%s: relative error %.3g at %d (expected %s, got %s)",
                what, error, worstAt, expected[worstAt], actual[worstAt]));
        return worst;
    }
}

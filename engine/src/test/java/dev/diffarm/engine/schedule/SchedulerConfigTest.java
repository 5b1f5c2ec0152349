package dev.diffarm.engine.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.diffarm.engine.schedule.SchedulerConfig.BetaSchedule;
import dev.diffarm.engine.schedule.SchedulerConfig.PredictionType;
import dev.diffarm.engine.schedule.SchedulerConfig.SolverType;
import dev.diffarm.engine.schedule.SchedulerConfig.TimestepSpacing;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.ReferenceRuns;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class SchedulerConfigTest {
    private static final ObjectMapper JSON = JsonMapper.builder().enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    @Test
    void sd15IsThePndmConfigSd15ShipsWith() {
        SchedulerConfig c = SchedulerConfig.sd15();
        assertEquals("PNDMScheduler", c.className());
        assertEquals(1000, c.numTrainTimesteps());
        assertEquals(0.00085, c.betaStart());
        assertEquals(0.012, c.betaEnd());
        assertEquals(BetaSchedule.SCALED_LINEAR, c.betaSchedule());
        assertTrue(c.trainedBetas().isEmpty());
        assertEquals(PredictionType.EPSILON, c.predictionType());
        assertEquals(TimestepSpacing.LEADING, c.timestepSpacing());
        assertEquals(1, c.stepsOffset());
        assertFalse(c.setAlphaToOne());
        assertTrue(c.skipPrkSteps());
        assertFalse(c.clipSample());
    }

    /**
     * The references loaded the model's PNDM config into every class with {@code from_config}; the full configs
     * diffusers then reported must come out of ours, class defaults included.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("runConfigs")
    void modelConfigLoadsIntoEachClassAsDiffusersDid(String file, String className, Map<String, Object> options)
            throws IOException {
        JsonNode model = JSON.readTree(Fixtures.sdTiny("model/scheduler/scheduler_config.json").toFile());
        SchedulerConfig expected = SchedulerConfig.read(Fixtures.sdTiny(file));
        assertEquals(expected, SchedulerConfig.fromConfig(model, className, options));
        assertEquals(expected, SchedulerConfig.sd15(className, options));
    }

    static Stream<Arguments> runConfigs() {
        return ReferenceRuns.all().stream()
                .map(r -> Arguments.of(r.schedulerConfig(), r.diffusersClass(), r.schedulerOptions())).distinct();
    }

    @Test
    void missingFieldsTakeTheNamedClassDefaults() {
        SchedulerConfig ddim = SchedulerConfig.parse("{\"_class_name\": \"DDIMScheduler\"}");
        assertEquals(TimestepSpacing.LEADING, ddim.timestepSpacing());
        assertTrue(ddim.setAlphaToOne());
        assertTrue(ddim.clipSample());
        assertEquals(0.0001, ddim.betaStart());
        assertEquals(0.02, ddim.betaEnd());
        assertEquals(BetaSchedule.LINEAR, ddim.betaSchedule());

        SchedulerConfig heun = SchedulerConfig.parse("{\"_class_name\": \"HeunDiscreteScheduler\"}");
        assertEquals(0.00085, heun.betaStart());
        assertEquals(0.012, heun.betaEnd());
        assertEquals(TimestepSpacing.LINSPACE, heun.timestepSpacing());

        assertEquals(SolverType.BH2, SchedulerConfig.parse("{\"_class_name\": \"UniPCMultistepScheduler\"}").solverType());
        assertEquals(SolverType.MIDPOINT, SchedulerConfig.parse("{\"_class_name\": \"DPMSolverMultistepScheduler\"}").solverType());
        assertEquals(Double.NEGATIVE_INFINITY, SchedulerConfig.parse("{}").lambdaMinClipped());
        assertEquals("PNDMScheduler", SchedulerConfig.parse("{}").className());
    }

    @Test
    void unknownFieldsAndClassesAreKeptOutOfTheWay() {
        SchedulerConfig c = SchedulerConfig.parse("{\"_class_name\": \"LCMScheduler\", \"original_inference_steps\": 50,"
                + " \"_diffusers_version\": \"0.29.2\"}");
        assertEquals("LCMScheduler", c.className());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Schedule.of(c, 20));
        assertContains(e, "scheduler class 'LCMScheduler' is not supported: expected one of DDIMScheduler, PNDMScheduler");
    }

    @Test
    void nonStandardInfinityIsRead() {
        assertEquals(Double.NEGATIVE_INFINITY, SchedulerConfig.parse("{\"lambda_min_clipped\": -Infinity}").lambdaMinClipped());
        assertEquals(-5.1, SchedulerConfig.parse("{\"lambda_min_clipped\": -5.1}").lambdaMinClipped());
    }

    static Stream<Arguments> badValues() {
        return Stream.of(
                Arguments.of("\"timestep_spacing\": \"middle\"",
                        "field timestep_spacing = \"middle\": expected one of leading, linspace, trailing"),
                Arguments.of("\"timestep_spacing\": null", "field timestep_spacing = null: expected one of"),
                Arguments.of("\"beta_schedule\": \"cosine\"",
                        "field beta_schedule = \"cosine\": expected one of linear, scaled_linear, squaredcos_cap_v2"),
                Arguments.of("\"num_train_timesteps\": 1000.5", "field num_train_timesteps = 1000.5: expected an integer >= 2"),
                Arguments.of("\"num_train_timesteps\": 1", "field num_train_timesteps = 1: expected an integer >= 2"),
                Arguments.of("\"beta_end\": 1.5", "field beta_end = 1.5: expected a number in [0, 1)"),
                Arguments.of("\"beta_start\": \"0.1\"", "field beta_start = \"0.1\": expected a number in [0, 1)"),
                Arguments.of("\"steps_offset\": -1", "field steps_offset = -1: expected an integer >= 0"),
                Arguments.of("\"use_karras_sigmas\": \"yes\"", "field use_karras_sigmas = \"yes\": expected true or false"),
                Arguments.of("\"solver_order\": 4", "field solver_order = 4: expected 1, 2 or 3"),
                Arguments.of("\"sigma_min\": -1", "field sigma_min = -1: expected a finite number > 0"),
                Arguments.of("\"sigma_min\": 20, \"sigma_max\": 10", "field sigma_min = 20: expected a value below sigma_max = 10.0"),
                Arguments.of("\"prediction_type\": \"flow\"",
                        "field prediction_type = \"flow\": expected one of epsilon, v_prediction, sample"),
                Arguments.of("\"num_train_timesteps\": 3, \"trained_betas\": [0.1, 0.2]",
                        "field trained_betas = a list of 2 values: expected null or a list of num_train_timesteps = 3 numbers"),
                Arguments.of("\"num_train_timesteps\": 2, \"trained_betas\": [0.1, 1.0]",
                        "field trained_betas[1] = 1.0: expected a number in [0, 1)"),
                Arguments.of("\"lambda_min_clipped\": NaN", "field lambda_min_clipped = \"NaN\": expected a number or -Infinity"),
                Arguments.of("\"disable_corrector\": [0, -2]", "field disable_corrector[1] = -2: expected a step index >= 0"),
                Arguments.of("\"variance_type\": \"fixed\"", "field variance_type = \"fixed\": expected one of learned, learned_range"),
                Arguments.of("\"solver_p\": {}", "field solver_p = {}: expected null"),
                Arguments.of("\"_class_name\": 7", "field _class_name = 7: expected a string"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badValues")
    void badValuesAreRefusedWithFieldValueAndExpectation(String field, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> SchedulerConfig.parse("{" + field + "}"));
        assertContains(e, message);
    }

    @Test
    void notAnObjectOrNotJsonIsRefused() {
        assertContains(assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.parse("[1, 2]")),
                "scheduler config: expected a JSON object, got array");
        assertContains(assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.parse("{\"beta_end\": ")),
                "scheduler config is not valid JSON");
    }

    @Test
    void aFileNamesItselfInItsErrors(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("scheduler_config.json");
        Files.writeString(file, "{\"timestep_spacing\": \"sideways\"}");
        assertContains(assertThrows(IllegalArgumentException.class, () -> SchedulerConfig.read(file)),
                file + ": scheduler config field timestep_spacing = \"sideways\"");
    }

    @Test
    void optionsOverrideTheConfig() {
        SchedulerConfig c = SchedulerConfig.sd15("DPMSolverMultistepScheduler",
                Map.of("algorithm_type", "sde-dpmsolver++", "use_karras_sigmas", true));
        assertEquals(SchedulerConfig.AlgorithmType.SDE_DPMSOLVER_PP, c.algorithmType());
        assertTrue(c.useKarrasSigmas());
        assertEquals(TimestepSpacing.LEADING, c.timestepSpacing());
    }

    static void assertContains(Exception e, String part) {
        System.out.println("refused: " + e.getMessage());
        assertTrue(e.getMessage().contains(part), () -> "message '" + e.getMessage() + "' should contain '" + part + "'");
    }
}

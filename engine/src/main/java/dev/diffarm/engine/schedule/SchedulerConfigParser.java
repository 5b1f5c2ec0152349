package dev.diffarm.engine.schedule;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.engine.schedule.SchedulerConfig.AlgorithmType;
import dev.diffarm.engine.schedule.SchedulerConfig.BetaSchedule;
import dev.diffarm.engine.schedule.SchedulerConfig.FinalSigmasType;
import dev.diffarm.engine.schedule.SchedulerConfig.InterpolationType;
import dev.diffarm.engine.schedule.SchedulerConfig.PredictionType;
import dev.diffarm.engine.schedule.SchedulerConfig.SolverType;
import dev.diffarm.engine.schedule.SchedulerConfig.TimestepSpacing;
import dev.diffarm.engine.schedule.SchedulerConfig.TimestepType;
import dev.diffarm.engine.schedule.SchedulerConfig.VarianceType;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Collectors;

/** Reads a diffusers scheduler config into a {@link SchedulerConfig}, checking every value it uses. */
final class SchedulerConfigParser {
    /** diffusers writes {@code -Infinity} for DPM-Solver's unclipped {@code lambda_min_clipped}. */
    private static final ObjectMapper JSON = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS).build();

    /** A config without {@code _class_name} is taken for SD 1.x's scheduler. */
    private static final String DEFAULT_CLASS = DiffusersScheduler.PNDM.className();

    /** The constructor defaults most diffusers 0.29.2 scheduler classes share; see {@link DiffusersScheduler}. */
    private static final Map<String, Object> SHARED_DEFAULTS = sharedDefaults();

    private static final String SD15 = """
            {
              "_class_name": "PNDMScheduler",
              "beta_end": 0.012,
              "beta_schedule": "scaled_linear",
              "beta_start": 0.00085,
              "clip_sample": false,
              "num_train_timesteps": 1000,
              "prediction_type": "epsilon",
              "set_alpha_to_one": false,
              "skip_prk_steps": true,
              "steps_offset": 1,
              "timestep_spacing": "leading",
              "trained_betas": null
            }
            """;

    private SchedulerConfigParser() {
    }

    private static Map<String, Object> sharedDefaults() {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("num_train_timesteps", 1000);
        d.put("beta_start", 0.0001);
        d.put("beta_end", 0.02);
        d.put("beta_schedule", "linear");
        d.put("trained_betas", null);
        d.put("rescale_betas_zero_snr", false);
        d.put("prediction_type", "epsilon");
        d.put("timestep_spacing", "linspace");
        d.put("steps_offset", 0);
        d.put("set_alpha_to_one", false);
        d.put("skip_prk_steps", false);
        d.put("clip_sample", false);
        d.put("clip_sample_range", 1.0);
        d.put("thresholding", false);
        d.put("dynamic_thresholding_ratio", 0.995);
        d.put("sample_max_value", 1.0);
        d.put("use_karras_sigmas", false);
        d.put("sigma_min", null);
        d.put("sigma_max", null);
        d.put("interpolation_type", "linear");
        d.put("timestep_type", "discrete");
        d.put("final_sigmas_type", "zero");
        d.put("algorithm_type", "dpmsolver++");
        d.put("solver_order", 2);
        d.put("solver_type", "midpoint");
        d.put("lower_order_final", true);
        d.put("euler_at_final", false);
        d.put("use_lu_lambdas", false);
        d.put("lambda_min_clipped", Double.NEGATIVE_INFINITY);
        d.put("variance_type", null);
        d.put("predict_x0", true);
        d.put("disable_corrector", List.of());
        d.put("solver_p", null);
        return d;
    }

    static ObjectNode sd15Json() {
        return (ObjectNode) readTree(SD15, "SD 1.5 scheduler config");
    }

    static JsonNode readTree(String json, String what) {
        try {
            return JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(what + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    static JsonNode readTree(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read scheduler config " + file + ": " + e.getMessage(), e);
        }
    }

    static ObjectNode withClassAndOptions(JsonNode config, String className, Map<String, ?> options) {
        ObjectNode merged = requireObject(config).deepCopy();
        options.forEach((name, value) -> merged.set(name, JSON.valueToTree(value)));
        merged.put("_class_name", className);
        return merged;
    }

    static SchedulerConfig parse(JsonNode config) {
        ObjectNode given = requireObject(config);
        JsonNode classNode = given.path("_class_name");
        if (!classNode.isMissingNode() && !classNode.isTextual()) {
            throw new IllegalArgumentException("scheduler config field _class_name = " + classNode + ": expected a string");
        }
        String className = classNode.isTextual() ? classNode.asText() : DEFAULT_CLASS;
        ObjectNode merged = JSON.valueToTree(SHARED_DEFAULTS);
        DiffusersScheduler.find(className).ifPresent(s -> merged.setAll((ObjectNode) JSON.valueToTree(s.ownDefaults())));
        merged.setAll(given);
        return new Fields(merged).toConfig(className);
    }

    private static ObjectNode requireObject(JsonNode config) {
        if (!(config instanceof ObjectNode object)) {
            throw new IllegalArgumentException("scheduler config: expected a JSON object, got "
                    + (config == null ? "nothing" : config.getNodeType().toString().toLowerCase()));
        }
        return object;
    }

    /** Typed, checked access to the merged fields. */
    private static final class Fields {
        private final ObjectNode node;

        Fields(ObjectNode node) {
            this.node = node;
        }

        SchedulerConfig toConfig(String className) {
            int numTrainTimesteps = integer("num_train_timesteps", 2);
            List<Double> trainedBetas = trainedBetas(numTrainTimesteps);
            OptionalDouble sigmaMin = optionalPositive("sigma_min");
            OptionalDouble sigmaMax = optionalPositive("sigma_max");
            if (sigmaMin.isPresent() && sigmaMax.isPresent() && sigmaMin.getAsDouble() >= sigmaMax.getAsDouble()) {
                throw refused("sigma_min", node.get("sigma_min"), "a value below sigma_max = " + sigmaMax.getAsDouble());
            }
            if (!node.get("solver_p").isNull()) {
                throw refused("solver_p", node.get("solver_p"), "null (a nested solver cannot be given in JSON)");
            }
            return new SchedulerConfig(
                    className,
                    numTrainTimesteps,
                    betaBound("beta_start"),
                    betaBound("beta_end"),
                    choice("beta_schedule", BetaSchedule.class),
                    trainedBetas,
                    bool("rescale_betas_zero_snr"),
                    choice("prediction_type", PredictionType.class),
                    choice("timestep_spacing", TimestepSpacing.class),
                    integer("steps_offset", 0),
                    bool("set_alpha_to_one"),
                    bool("skip_prk_steps"),
                    bool("clip_sample"),
                    positive("clip_sample_range"),
                    bool("thresholding"),
                    ratio("dynamic_thresholding_ratio"),
                    positive("sample_max_value"),
                    bool("use_karras_sigmas"),
                    sigmaMin,
                    sigmaMax,
                    choice("interpolation_type", InterpolationType.class),
                    choice("timestep_type", TimestepType.class),
                    choice("final_sigmas_type", FinalSigmasType.class),
                    choice("algorithm_type", AlgorithmType.class),
                    solverOrder(),
                    choice("solver_type", SolverType.class),
                    bool("lower_order_final"),
                    bool("euler_at_final"),
                    bool("use_lu_lambdas"),
                    lambdaMinClipped(),
                    optionalChoice("variance_type", VarianceType.class),
                    bool("predict_x0"),
                    disableCorrector());
        }

        private int integer(String name, int min) {
            JsonNode v = node.get(name);
            if (!v.isIntegralNumber() || !v.canConvertToInt() || v.intValue() < min) {
                throw refused(name, v, "an integer >= " + min);
            }
            return v.intValue();
        }

        private boolean bool(String name) {
            JsonNode v = node.get(name);
            if (!v.isBoolean()) {
                throw refused(name, v, "true or false");
            }
            return v.booleanValue();
        }

        private double finite(String name, JsonNode v, String expected) {
            if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                throw refused(name, v, expected);
            }
            return v.doubleValue();
        }

        private double betaBound(String name) {
            double beta = finite(name, node.get(name), "a number in [0, 1)");
            if (beta < 0 || beta >= 1) {
                throw refused(name, node.get(name), "a number in [0, 1)");
            }
            return beta;
        }

        private double positive(String name) {
            double value = finite(name, node.get(name), "a finite number > 0");
            if (value <= 0) {
                throw refused(name, node.get(name), "a finite number > 0");
            }
            return value;
        }

        private double ratio(String name) {
            double value = finite(name, node.get(name), "a number in (0, 1]");
            if (value <= 0 || value > 1) {
                throw refused(name, node.get(name), "a number in (0, 1]");
            }
            return value;
        }

        private OptionalDouble optionalPositive(String name) {
            JsonNode v = node.get(name);
            return v.isNull() ? OptionalDouble.empty() : OptionalDouble.of(positive(name));
        }

        private int solverOrder() {
            int order = integer("solver_order", 1);
            if (order > 3) {
                throw refused("solver_order", node.get("solver_order"), "1, 2 or 3");
            }
            return order;
        }

        private double lambdaMinClipped() {
            JsonNode v = node.get("lambda_min_clipped");
            if (!v.isNumber() || Double.isNaN(v.doubleValue())) {
                throw refused("lambda_min_clipped", v, "a number or -Infinity");
            }
            return v.doubleValue();
        }

        private List<Double> trainedBetas(int numTrainTimesteps) {
            JsonNode v = node.get("trained_betas");
            if (v.isNull()) {
                return List.of();
            }
            if (!v.isArray() || v.size() != numTrainTimesteps) {
                throw refused("trained_betas", v.isArray() ? "a list of " + v.size() + " values" : v,
                        "null or a list of num_train_timesteps = " + numTrainTimesteps + " numbers");
            }
            List<Double> betas = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) {
                JsonNode beta = v.get(i);
                if (!beta.isNumber() || !(beta.doubleValue() >= 0 && beta.doubleValue() < 1)) {
                    throw refused("trained_betas[" + i + "]", beta, "a number in [0, 1)");
                }
                betas.add(beta.doubleValue());
            }
            return betas;
        }

        private List<Integer> disableCorrector() {
            JsonNode v = node.get("disable_corrector");
            if (!v.isArray()) {
                throw refused("disable_corrector", v, "a list of step indices");
            }
            List<Integer> steps = new ArrayList<>(v.size());
            for (int i = 0; i < v.size(); i++) {
                JsonNode step = v.get(i);
                if (!step.isIntegralNumber() || !step.canConvertToInt() || step.intValue() < 0) {
                    throw refused("disable_corrector[" + i + "]", step, "a step index >= 0");
                }
                steps.add(step.intValue());
            }
            return steps;
        }

        private <E extends Enum<E> & JsonNamed> E choice(String name, Class<E> type) {
            JsonNode v = node.get(name);
            if (v.isTextual()) {
                for (E e : type.getEnumConstants()) {
                    if (e.jsonName().equals(v.asText())) {
                        return e;
                    }
                }
            }
            throw refused(name, v, "one of " + Arrays.stream(type.getEnumConstants()).map(JsonNamed::jsonName)
                    .collect(Collectors.joining(", ")));
        }

        private <E extends Enum<E> & JsonNamed> Optional<E> optionalChoice(String name, Class<E> type) {
            return node.get(name).isNull() ? Optional.empty() : Optional.of(choice(name, type));
        }

        private static IllegalArgumentException refused(String name, Object value, String expected) {
            return new IllegalArgumentException("scheduler config field " + name + " = " + value + ": expected " + expected);
        }
    }
}

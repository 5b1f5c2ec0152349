package dev.diffarm.engine.schedule;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * A diffusers {@code scheduler_config.json}, one component per field (in camelCase), as diffusers 0.29.2 reads
 * it: a field missing from the file takes the default of the constructor of the class the file names
 * ({@code _class_name}), unknown fields are ignored, and a value of the wrong type or out of range is refused
 * with an {@link IllegalArgumentException} naming the field, the value and what was expected.
 *
 * <p>Fields a class does not have are still present here, at their defaults: diffusers ignores them for that
 * class, and so do the schedules {@link DiffusersScheduler} makes.
 *
 * @param className                {@code _class_name}, such as {@code EulerAncestralDiscreteScheduler}
 * @param trainedBetas             explicit betas replacing the beta schedule; empty when the file has none
 * @param sigmaMin                 Euler's override of the smallest Karras sigma; empty for "from the schedule"
 * @param sigmaMax                 Euler's override of the largest Karras sigma; empty for "from the schedule"
 * @param lambdaMinClipped         DPM-Solver's lower bound on log-SNR/2; may be negative infinity
 * @param varianceType             DPM-Solver's learned-variance output or DDPM's fixed variance; empty for none
 * @param disableCorrector         UniPC's steps without a corrector
 */
public record SchedulerConfig(
        String className,
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        List<Double> trainedBetas,
        boolean rescaleBetasZeroSnr,
        PredictionType predictionType,
        TimestepSpacing timestepSpacing,
        int stepsOffset,
        boolean setAlphaToOne,
        boolean skipPrkSteps,
        boolean clipSample,
        double clipSampleRange,
        boolean thresholding,
        double dynamicThresholdingRatio,
        double sampleMaxValue,
        boolean useKarrasSigmas,
        OptionalDouble sigmaMin,
        OptionalDouble sigmaMax,
        InterpolationType interpolationType,
        TimestepType timestepType,
        FinalSigmasType finalSigmasType,
        AlgorithmType algorithmType,
        int solverOrder,
        SolverType solverType,
        boolean lowerOrderFinal,
        boolean eulerAtFinal,
        boolean useLuLambdas,
        double lambdaMinClipped,
        Optional<VarianceType> varianceType,
        boolean predictX0,
        List<Integer> disableCorrector) {

    public SchedulerConfig {
        trainedBetas = List.copyOf(trainedBetas);
        disableCorrector = List.copyOf(disableCorrector);
    }

    /** SD 1.5's {@code scheduler/scheduler_config.json} (a PNDMScheduler) as diffusers 0.29.2 loads it. */
    public static SchedulerConfig sd15() {
        return SchedulerConfigParser.parse(SchedulerConfigParser.sd15Json());
    }

    /**
     * SD 1.5's scheduler config loaded into another scheduler class, as diffusers'
     * {@code <class>.from_config(sd15_config, **options)} does.
     */
    public static SchedulerConfig sd15(String className, Map<String, ?> options) {
        return fromConfig(SchedulerConfigParser.sd15Json(), className, options);
    }

    /** Parses the text of a {@code scheduler_config.json}. */
    public static SchedulerConfig parse(String json) {
        return SchedulerConfigParser.parse(SchedulerConfigParser.readTree(json, "scheduler config"));
    }

    /** Reads a {@code scheduler_config.json} file. */
    public static SchedulerConfig read(Path file) {
        JsonNode config = SchedulerConfigParser.readTree(file);
        try {
            return SchedulerConfigParser.parse(config);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
    }

    /** Parses an already-read {@code scheduler_config.json} object. */
    public static SchedulerConfig fromJson(JsonNode config) {
        return SchedulerConfigParser.parse(config);
    }

    /**
     * diffusers' {@code <className>.from_config(config, **options)}: the fields of {@code config} and then
     * {@code options} (JSON-like values: strings, numbers, booleans, lists, null) over the defaults of
     * {@code className}. This is how a model's scheduler config is used with another sampler.
     */
    public static SchedulerConfig fromConfig(JsonNode config, String className, Map<String, ?> options) {
        return SchedulerConfigParser.parse(SchedulerConfigParser.withClassAndOptions(config, className, options));
    }

    /** How betas are spread over the training timesteps ({@code beta_schedule}). */
    public enum BetaSchedule implements JsonNamed {
        LINEAR("linear"), SCALED_LINEAR("scaled_linear"), SQUAREDCOS_CAP_V2("squaredcos_cap_v2");

        private final String jsonName;

        BetaSchedule(String jsonName) {
            this.jsonName = jsonName;
        }

        @Override
        public String jsonName() {
            return jsonName;
        }
    }

    /** What the model predicts ({@code prediction_type}). */
    public enum PredictionType implements JsonNamed {
        EPSILON("epsilon"), V_PREDICTION("v_prediction"), SAMPLE("sample");

        private final String jsonName;

        PredictionType(String jsonName) {
            this.jsonName = jsonName;
        }

        @Override
        public String jsonName() {
            return jsonName;
        }
    }

    /** How inference timesteps are picked among the training ones (Lin et al. 2023, table 2). */
    public enum TimestepSpacing implements JsonNamed {
        LEADING("leading"), LINSPACE("linspace"), TRAILING("trailing");

        private final String jsonName;

        TimestepSpacing(String jsonName) {
            this.jsonName = jsonName;
        }

        @Override
        public String jsonName() {
            return jsonName;
        }
    }

    /** How Euler interpolates sigmas between training timesteps ({@code interpolation_type}). */
    public enum InterpolationType implements JsonNamed {
        LINEAR("linear"), LOG_LINEAR("log_linear");

        private final String jsonName;

        InterpolationType(String jsonName) {
            this.jsonName = jsonName;
        }

        @Override
        public String jsonName() {
            return jsonName;
        }
    }

    /** Whether Euler passes the UNet the discrete timestep or {@code 0.25 * ln(sigma)} ({@code timestep_type}). */
    public enum TimestepType implements JsonNamed {
        DISCRETE("discrete"), CONTINUOUS("continuous");

        private final String jsonName;

        TimestepType(String jsonName) {
            this.jsonName = jsonName;
        }

        @Override
        public String jsonName() {
            return jsonName;
        }
    }

    /** The level the last step goes to ({@code final_sigmas_type}): 0, or the smallest training sigma. */
    public enum FinalSigmasType implements JsonNamed {
        ZERO("zero"), SIGMA_MIN("sigma_min");

        private final String jsonName;

        FinalSigmasType(String jsonName) {
            this.jsonName = jsonName;
        }

        @Override
        public String jsonName() {
            return jsonName;
        }
    }

    /** DPM-Solver's variant ({@code algorithm_type}). */
    public enum AlgorithmType implements JsonNamed {
        DPMSOLVER("dpmsolver"), DPMSOLVER_PP("dpmsolver++"), SDE_DPMSOLVER("sde-dpmsolver"),
        SDE_DPMSOLVER_PP("sde-dpmsolver++");

        private final String jsonName;

        AlgorithmType(String jsonName) {
            this.jsonName = jsonName;
        }

        @Override
        public String jsonName() {
            return jsonName;
        }
    }

    /**
     * The second-order update ({@code solver_type}): midpoint/heun for DPM-Solver, bh1/bh2 for UniPC. diffusers
     * replaces a value of the other family by its class's default (midpoint, bh2); logrho is accepted as it does.
     */
    public enum SolverType implements JsonNamed {
        MIDPOINT("midpoint"), HEUN("heun"), LOGRHO("logrho"), BH1("bh1"), BH2("bh2");

        private final String jsonName;

        SolverType(String jsonName) {
            this.jsonName = jsonName;
        }

        @Override
        public String jsonName() {
            return jsonName;
        }
    }

    /**
     * The variance of each step ({@code variance_type}): DPM-Solver's learned-variance output channels, or one of
     * DDPM's fixed variances (an SD x4 upscaler's {@code low_res_scheduler} is a DDPMScheduler with
     * {@code fixed_small}; only its noise levels are used).
     */
    public enum VarianceType implements JsonNamed {
        LEARNED("learned"), LEARNED_RANGE("learned_range"), FIXED_SMALL("fixed_small"),
        FIXED_SMALL_LOG("fixed_small_log"), FIXED_LARGE("fixed_large"), FIXED_LARGE_LOG("fixed_large_log");

        private final String jsonName;

        VarianceType(String jsonName) {
            this.jsonName = jsonName;
        }

        @Override
        public String jsonName() {
            return jsonName;
        }
    }
}

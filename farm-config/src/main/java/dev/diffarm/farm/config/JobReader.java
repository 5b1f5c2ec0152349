package dev.diffarm.farm.config;

import static dev.diffarm.farm.config.ValueReader.bool;
import static dev.diffarm.farm.config.ValueReader.integer;
import static dev.diffarm.farm.config.ValueReader.list;
import static dev.diffarm.farm.config.ValueReader.number;
import static dev.diffarm.farm.config.ValueReader.text;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;

/**
 * Reads a job from its JSON tree, reporting every problem it finds. A job is built only from a document
 * without problems, so the records' constructors, which apply the same rules, never fail here.
 */
final class JobReader {
    private static final String MODEL = "the name of a model on the farm";
    private static final ValueReader<String> NEGATIVE_PROMPT = text(Rules.NEGATIVE_PROMPT).and(Rules.PROMPT_TEXT);
    private static final ValueReader<List<String>> PROMPTS = list(text(Rules.PROMPT).and(Rules.PROMPT_TEXT),
            "an array of prompts", Limits.MAX_LIST_ITEMS).and(Rules.PROMPTS);
    private static final ValueReader<List<Long>> SEEDS = list(integer(Rules.SEED), "an array of seeds",
            Limits.MAX_LIST_ITEMS).and(Rules.SEEDS);
    private static final ValueReader<Lora> LORA = (node, path, problems) ->
            FieldReader.of(node, path, problems, "a LoRA object {\"name\": ..., \"weight\": ...}").flatMap(fields -> {
                Optional<String> name = fields.required("name", text(Rules.NAME), "the LoRA's name");
                double weight = fields.orDefault("weight", Defaults.LORA_WEIGHT, number(Rules.LORA_WEIGHT));
                fields.rejectUnknownFields();
                return fields.isValid() ? Optional.of(new Lora(name.orElseThrow(), weight)) : Optional.empty();
            });
    private static final ValueReader<List<Lora>> LORAS = list(LORA, "an array of LoRA objects", Limits.MAX_LORAS)
            .and(Rules.LORAS);
    private static final ValueReader<Size> SIZE = (node, path, problems) ->
            FieldReader.of(node, path, problems, "a size object {\"width\": ..., \"height\": ...}").flatMap(fields -> {
                Optional<Long> width = fields.required("width", integer(Rules.SIDE), Rules.SIDE.expected());
                Optional<Long> height = fields.required("height", integer(Rules.SIDE), Rules.SIDE.expected());
                fields.rejectUnknownFields();
                return fields.isValid() ? Optional.of(new Size(width.orElseThrow().intValue(),
                        height.orElseThrow().intValue())) : Optional.empty();
            });
    private static final ValueReader<List<Size>> SIZES = list(SIZE, "an array of size objects", Limits.MAX_LIST_ITEMS)
            .and(Rules.SIZES);
    private static final ValueReader<Style> STYLE = (node, path, problems) ->
            FieldReader.of(node, path, problems, "a style object {\"name\": ..., \"template\": ...}").flatMap(fields -> {
                Optional<String> name = fields.required("name", text(Rules.NAME), "the style's name");
                Optional<String> template = fields.required("template", text(Rules.TEMPLATE).and(Rules.PROMPT_TEXT),
                        Rules.TEMPLATE.expected());
                String negative = fields.orDefault("negativePrompt", Defaults.NEGATIVE_PROMPT, NEGATIVE_PROMPT);
                List<Lora> loras = fields.orDefault("loras", List.of(), LORAS);
                ImageModes modes = ModesReader.read(fields);
                fields.rejectUnknownFields();
                return fields.isValid() ? Optional.of(new Style(name.orElseThrow(), template.orElseThrow(), negative, loras,
                        modes)) : Optional.empty();
            });
    private static final ValueReader<List<Style>> STYLES = list(STYLE, "an array of style objects", Limits.MAX_LIST_ITEMS)
            .and(Rules.STYLES);

    private JobReader() {
    }

    /** The job {@code root} holds, or empty after reporting its problems to {@code problems}. */
    static Optional<Job> read(JsonNode root, Problems problems) {
        if (!root.isObject()) {
            problems.report(ValidationError.notAnObject(Json.show(root), Json.typeOf(root)));
            return Optional.empty();
        }
        FieldReader fields = FieldReader.of(root, "", problems, "a JSON object").orElseThrow();
        // Without a known version and kind the other fields cannot be interpreted.
        Optional<String> apiVersion = fields.required("apiVersion", text(Rules.API_VERSION), Rules.API_VERSION.expected());
        Optional<String> kind = apiVersion.flatMap(version -> fields.required("kind", text(Rules.KIND), Rules.KIND.expected()));
        return kind.flatMap(name -> switch (name) {
            case RenderJob.KIND -> readRender(fields);
            case Campaign.KIND -> readCampaign(fields);
            case MergeJob.KIND -> readMerge(fields);
            case TrainJob.KIND -> readTrain(fields);
            default -> throw new IllegalStateException("kind " + name + " passed the kind rule unread");
        });
    }

    /** The job's id when {@code root} has a valid one, even if the rest of the job is not valid. */
    static Optional<String> id(JsonNode root) {
        JsonNode id = root.path("id");
        return id.isTextual() && Rules.ID.accepts().test(id.textValue()) ? Optional.of(id.textValue()) : Optional.empty();
    }

    private static Optional<Job> readRender(FieldReader fields) {
        Optional<String> id = fields.required("id", text(Rules.ID), Rules.ID.expected());
        Optional<List<String>> prompts = fields.required("prompts", PROMPTS, "an array of at least one prompt");
        Optional<List<Long>> seeds = fields.optional("seeds", SEEDS);
        long width = fields.orDefault("width", (long) Defaults.WIDTH, integer(Rules.SIDE));
        long height = fields.orDefault("height", (long) Defaults.HEIGHT, integer(Rules.SIDE));
        Optional<RenderSettings> settings = readSettings(fields);
        fields.rejectUnknownFields();
        prompts.ifPresent(list -> RenderJob.checkTaskCount(fields.problems(), list.size(), seeds.map(List::size).orElse(1)));
        if (Rules.SIDE.accepts().test(width) && Rules.SIDE.accepts().test(height)) {
            settings.ifPresent(common -> common.modes().checkSize(fields.problems(), "",
                    new Size((int) width, (int) height)));
        }
        if (!fields.isValid()) {
            return Optional.empty();
        }
        String jobId = id.orElseThrow();
        return Optional.of(new RenderJob(jobId, prompts.orElseThrow(), seeds.orElse(List.of(Defaults.seedFor(jobId))),
                new Size((int) width, (int) height), settings.orElseThrow()));
    }

    private static Optional<Job> readCampaign(FieldReader fields) {
        Optional<String> id = fields.required("id", text(Rules.ID), Rules.ID.expected());
        Optional<List<String>> prompts = fields.required("prompts", PROMPTS, "an array of at least one prompt");
        Optional<List<Style>> styles = fields.optional("styles", STYLES);
        Optional<List<Size>> sizes = fields.optional("sizes", SIZES);
        Optional<List<Long>> seeds = fields.optional("seeds", SEEDS);
        Optional<RenderSettings> settings = readSettings(fields);
        fields.rejectUnknownFields();
        List<Style> effectiveStyles = styles.orElse(List.of(Defaults.STYLE));
        prompts.ifPresent(list -> Campaign.checkTaskCount(fields.problems(), effectiveStyles.size(), list.size(),
                sizes.map(List::size).orElse(1), seeds.map(List::size).orElse(1)));
        settings.ifPresent(common -> Campaign.checkMergedNegativePrompts(fields.problems(), effectiveStyles,
                common.negativePrompt()));
        settings.ifPresent(common -> Campaign.checkStyledModes(fields.problems(), effectiveStyles, common.modes(),
                sizes.orElse(List.of(Defaults.SIZE))));
        if (!fields.isValid()) {
            return Optional.empty();
        }
        String jobId = id.orElseThrow();
        return Optional.of(new Campaign(jobId, prompts.orElseThrow(), seeds.orElse(List.of(Defaults.seedFor(jobId))),
                sizes.orElse(List.of(Defaults.SIZE)), effectiveStyles, settings.orElseThrow()));
    }

    private static Optional<Job> readMerge(FieldReader fields) {
        Optional<String> id = fields.required("id", text(Rules.ID), Rules.ID.expected());
        Optional<MergeMethod> method = fields.required("method", text(Rules.MERGE_METHOD), Rules.MERGE_METHOD.expected())
                .flatMap(MergeMethod::of);
        Optional<String> a = fields.required("a", text(Rules.NAME), MODEL);
        Optional<String> b = fields.required("b", text(Rules.NAME), MODEL);
        Optional<String> c = readThirdModel(fields, method);
        Optional<Double> multiplier = fields.required("multiplier", number(Rules.MULTIPLIER), Rules.MULTIPLIER.expected());
        Optional<String> output = fields.required("output", text(Rules.MODEL_OUTPUT), Rules.MODEL_OUTPUT.expected());
        fields.rejectUnknownFields();
        if (!fields.isValid()) {
            return Optional.empty();
        }
        return Optional.of(new MergeJob(id.orElseThrow(), method.orElseThrow(), a.orElseThrow(), b.orElseThrow(), c,
                multiplier.orElseThrow(), output.orElseThrow()));
    }

    private static Optional<Job> readTrain(FieldReader fields) {
        Optional<String> id = fields.required("id", text(Rules.ID), Rules.ID.expected());
        Optional<String> method = fields.required("method", text(Rules.TRAIN_METHOD), Rules.TRAIN_METHOD.expected());
        Optional<String> model = fields.required("model", text(Rules.NAME), MODEL);
        Optional<String> dataset = fields.required("dataset", text(Rules.DATASET), Rules.DATASET.expected());
        Optional<String> output = fields.required("output", text(Rules.LORA_OUTPUT), Rules.LORA_OUTPUT.expected());
        double learningRate = fields.orDefault("learningRate", Defaults.LEARNING_RATE, number(Rules.LEARNING_RATE));
        long networkDim = fields.orDefault("networkDim", (long) Defaults.NETWORK_DIM, integer(Rules.NETWORK_DIM));
        double networkAlpha = fields.orDefault("networkAlpha", Defaults.NETWORK_ALPHA, number(Rules.NETWORK_ALPHA));
        long maxTrainSteps = fields.orDefault("maxTrainSteps", (long) Defaults.MAX_TRAIN_STEPS, integer(Rules.TRAIN_STEPS));
        long batch = fields.orDefault("trainBatchSize", (long) Defaults.TRAIN_BATCH_SIZE, integer(Rules.TRAIN_BATCH));
        long accumulation = fields.orDefault("gradientAccumulationSteps", (long) Defaults.GRADIENT_ACCUMULATION_STEPS,
                integer(Rules.ACCUMULATION));
        double maxGradNorm = fields.orDefault("maxGradNorm", Defaults.MAX_GRAD_NORM, number(Rules.MAX_GRAD_NORM));
        String lrScheduler = fields.orDefault("lrScheduler", Defaults.LR_SCHEDULER, text(Rules.LR_SCHEDULER));
        long warmup = fields.orDefault("lrWarmupSteps", (long) Defaults.LR_WARMUP_STEPS, integer(Rules.WARMUP_STEPS));
        long resolution = fields.orDefault("resolution", (long) Defaults.RESOLUTION, integer(Rules.RESOLUTION));
        boolean enableBucket = fields.orDefault("enableBucket", false, bool().and(Rules.ENABLE_BUCKET::check));
        boolean shuffle = fields.orDefault("shuffle", true, bool());
        long seed = fields.orDefault("seed", Defaults.TRAIN_SEED, integer(Rules.SEED));
        long saveEvery = fields.orDefault("saveEvery", 0L, integer(Rules.SAVE_EVERY));
        List<String> targets = fields.orDefault("loraTargets", List.of(), list(text(Rules.LORA_TARGET),
                "an array of module names", Limits.MAX_LIST_ITEMS));
        fields.rejectUnknownFields();
        if (!fields.isValid()) {
            return Optional.empty();
        }
        return Optional.of(new TrainJob(id.orElseThrow(), method.orElseThrow(), model.orElseThrow(),
                dataset.orElseThrow(), output.orElseThrow(), learningRate, (int) networkDim, networkAlpha,
                (int) maxTrainSteps, (int) batch, (int) accumulation, maxGradNorm, lrScheduler, (int) warmup,
                (int) resolution, enableBucket, shuffle, seed, (int) saveEvery, targets));
    }

    /** {@code c}: required by add-difference, refused by the weighted sum, read as a name while the method is unknown. */
    private static Optional<String> readThirdModel(FieldReader fields, Optional<MergeMethod> method) {
        if (method.isEmpty()) {
            return fields.optional("c", text(Rules.NAME));
        }
        return switch (method.get()) {
            case ADD_DIFFERENCE -> fields.required("c", text(Rules.NAME), MergeJob.THIRD_MODEL);
            case WEIGHTED_SUM -> fields.optional("c", (node, path, problems) -> {
                problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, path, Json.show(node),
                        MergeJob.NO_THIRD_MODEL));
                return Optional.empty();
            });
        };
    }

    /** The settings of a job; empty (after reporting) without a model. Invalid fields are reported and defaulted. */
    private static Optional<RenderSettings> readSettings(FieldReader fields) {
        Optional<String> model = fields.required("model", text(Rules.NAME), MODEL);
        String negative = fields.orDefault("negativePrompt", Defaults.NEGATIVE_PROMPT, NEGATIVE_PROMPT);
        String sampler = fields.orDefault("sampler", Defaults.SAMPLER, text(Rules.NAME));
        Optional<String> schedule = fields.optional("schedule", text(Rules.NAME));
        Optional<Double> eta = fields.optional("eta", number(Rules.ETA));
        long steps = fields.orDefault("steps", (long) Defaults.STEPS, integer(Rules.STEPS));
        double cfg = fields.orDefault("cfg", Defaults.CFG, number(Rules.CFG));
        long clipSkip = fields.orDefault("clipSkip", (long) Defaults.CLIP_SKIP, integer(Rules.CLIP_SKIP));
        List<Lora> loras = fields.orDefault("loras", List.of(), LORAS);
        ImageModes modes = ModesReader.read(fields);
        return model.map(name -> new RenderSettings(name, negative, sampler, schedule,
                eta.map(OptionalDouble::of).orElse(OptionalDouble.empty()), (int) steps, cfg, (int) clipSkip,
                loras, modes));
    }
}

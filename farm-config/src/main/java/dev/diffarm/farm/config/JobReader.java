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
import java.util.OptionalInt;
import java.util.OptionalLong;

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
    private static final ValueReader<List<ImageInput>> UPSCALE_IMAGES = list(ModesReader.IMAGE,
            "an array of pictures (store keys or data: URIs)", Limits.MAX_UPSCALE_IMAGES).and(Rules.UPSCALE_IMAGES);
    private static final ValueReader<String> TRAIN_PROMPT = text(Rules.PROMPT).and(Rules.PROMPT_TEXT);
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
            case UpscaleJob.KIND -> readUpscale(fields);
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

    private static Optional<Job> readUpscale(FieldReader fields) {
        Optional<String> id = fields.required("id", text(Rules.ID), Rules.ID.expected());
        Optional<List<ImageInput>> images = fields.required("images", UPSCALE_IMAGES,
                "an array of 1 to " + Limits.MAX_UPSCALE_IMAGES + " pictures");
        Optional<String> upscaler = fields.required("upscaler", text(Rules.UPSCALER), Rules.UPSCALER.expected());
        double scale = fields.orDefault("scale", UpscaleJob.DEFAULT_SCALE, number(Rules.UPSCALE_FACTOR));
        long tile = fields.orDefault("tile", (long) UpscaleJob.DEFAULT_TILE, integer(Rules.TILE));
        long tileOverlap = fields.orDefault("tileOverlap", (long) UpscaleJob.DEFAULT_TILE_OVERLAP,
                integer(Rules.TILE_OVERLAP));
        SdUpscaleFields diffusion = readSdUpscaleFields(fields);
        fields.rejectUnknownFields();
        UpscaleJob.checkOverlap(fields.problems(), tile, tileOverlap);
        if (!fields.isValid()) {
            return Optional.empty();
        }
        return Optional.of(new UpscaleJob(id.orElseThrow(), images.orElseThrow(), upscaler.orElseThrow(), scale,
                (int) tile, (int) tileOverlap, diffusion));
    }

    /** An upscale job's render fields, each as given (an SD x4 upscaler takes them; the catalog check says which). */
    private static SdUpscaleFields readSdUpscaleFields(FieldReader fields) {
        Optional<String> prompt = fields.optional("prompt", NEGATIVE_PROMPT);
        Optional<String> negative = fields.optional("negativePrompt", NEGATIVE_PROMPT);
        Optional<String> sampler = fields.optional("sampler", text(Rules.NAME));
        Optional<Long> steps = fields.optional("steps", integer(Rules.STEPS));
        Optional<Double> cfg = fields.optional("cfg", number(Rules.CFG));
        Optional<Long> seed = fields.optional("seed", integer(Rules.SEED));
        Optional<Long> noiseLevel = fields.optional("noiseLevel", integer(Rules.NOISE_LEVEL));
        return new SdUpscaleFields(prompt, negative, sampler,
                steps.map(value -> OptionalInt.of(value.intValue())).orElse(OptionalInt.empty()),
                cfg.map(OptionalDouble::of).orElse(OptionalDouble.empty()),
                seed.map(OptionalLong::of).orElse(OptionalLong.empty()),
                noiseLevel.map(value -> OptionalInt.of(value.intValue())).orElse(OptionalInt.empty()));
    }

    private static Optional<Job> readTrain(FieldReader fields) {
        Optional<String> id = fields.required("id", text(Rules.ID), Rules.ID.expected());
        Optional<String> method = fields.required("method", text(Rules.TRAIN_METHOD), Rules.TRAIN_METHOD.expected());
        Optional<String> model = fields.required("model", text(Rules.NAME), MODEL);
        Optional<String> dataset = fields.required("dataset", text(Rules.DATASET), Rules.DATASET.expected());
        Optional<String> output = fields.required("output", text(Rules.TRAIN_OUTPUT), Rules.TRAIN_OUTPUT.expected());
        double defaultRate = method.filter(TrainJob.DREAMBOOTH::equals).isPresent() ? TrainJob.DREAMBOOTH_LEARNING_RATE
                : Defaults.LEARNING_RATE;
        List<Double> learningRate = fields.orDefault("learningRate", List.of(defaultRate),
                oneOrList(number(Rules.LEARNING_RATE)));
        List<Long> networkDim = fields.orDefault("networkDim", List.of((long) Defaults.NETWORK_DIM),
                oneOrList(integer(Rules.NETWORK_DIM)));
        List<Double> networkAlpha = fields.orDefault("networkAlpha", List.of(Defaults.NETWORK_ALPHA),
                oneOrList(number(Rules.NETWORK_ALPHA)));
        List<Long> maxTrainSteps = fields.orDefault("maxTrainSteps", List.of((long) Defaults.MAX_TRAIN_STEPS),
                oneOrList(integer(Rules.TRAIN_STEPS)));
        long batch = fields.orDefault("trainBatchSize", (long) Defaults.TRAIN_BATCH_SIZE, integer(Rules.TRAIN_BATCH));
        long accumulation = fields.orDefault("gradientAccumulationSteps", (long) Defaults.GRADIENT_ACCUMULATION_STEPS,
                integer(Rules.ACCUMULATION));
        double maxGradNorm = fields.orDefault("maxGradNorm", Defaults.MAX_GRAD_NORM, number(Rules.MAX_GRAD_NORM));
        String lrScheduler = fields.orDefault("lrScheduler", Defaults.LR_SCHEDULER, text(Rules.LR_SCHEDULER));
        long warmup = fields.orDefault("lrWarmupSteps", (long) Defaults.LR_WARMUP_STEPS, integer(Rules.WARMUP_STEPS));
        long resolution = fields.orDefault("resolution", (long) Defaults.RESOLUTION, integer(Rules.RESOLUTION));
        boolean shuffle = fields.orDefault("shuffle", true, bool());
        long seed = fields.orDefault("seed", Defaults.TRAIN_SEED, integer(Rules.SEED));
        long saveEvery = fields.orDefault("saveEvery", 0L, integer(Rules.SAVE_EVERY));
        boolean gradientCheckpointing = fields.orDefault("gradientCheckpointing", false, bool());
        List<String> targets = fields.orDefault("loraTargets", List.of(), list(text(Rules.LORA_TARGET),
                "an array of module names", Limits.MAX_LIST_ITEMS));
        TrainDataOptions data = readTrainData(fields);
        TrainLoss loss = readTrainLoss(fields);
        boolean unetOnly = fields.orDefault("networkTrainUnetOnly", false, bool());
        boolean textEncoderOnly = fields.orDefault("networkTrainTextEncoderOnly", false, bool());
        Optional<Double> textEncoderLr = fields.optional("textEncoderLr", number(Rules.LEARNING_RATE));
        Optional<Double> unetLr = fields.optional("unetLr", number(Rules.LEARNING_RATE));
        Optional<String> instancePrompt = fields.optional("instancePrompt", TRAIN_PROMPT);
        Optional<String> classPrompt = fields.optional("classPrompt", TRAIN_PROMPT);
        double priorLossWeight = fields.orDefault("priorLossWeight", DreamBoothOptions.PRIOR_LOSS_WEIGHT,
                number(Rules.PRIOR_LOSS_WEIGHT));
        long numClassImages = fields.orDefault("numClassImages", (long) DreamBoothOptions.NUM_CLASS_IMAGES,
                integer(Rules.NUM_CLASS_IMAGES));
        Optional<String> classDataset = fields.optional("classDataset", text(Rules.DATASET));
        boolean trainTextEncoder = fields.orDefault("trainTextEncoder", false, bool());
        Optional<String> token = fields.optional("token", text(Rules.TOKEN));
        Optional<String> initToken = fields.optional("initToken", text(Rules.INIT_TOKEN));
        long numVectors = fields.orDefault("numVectors", (long) TextualInversionOptions.NUM_VECTORS,
                integer(Rules.NUM_VECTORS));
        long sampleEvery = fields.orDefault("sampleEvery", 0L, integer(Rules.SAVE_EVERY));
        List<String> samplePrompts = fields.orDefault("samplePrompts", List.of(), list(TRAIN_PROMPT,
                "an array of prompts", TrainSamples.MAX_PROMPTS).and(Rules.SAMPLE_PROMPTS));
        long sampleSeed = fields.orDefault("sampleSeed", Defaults.TRAIN_SEED, integer(Rules.SEED));
        long sampleSteps = fields.orDefault("sampleSteps", (long) Defaults.STEPS, integer(Rules.STEPS));
        fields.rejectUnknownFields();
        method.ifPresent(name -> rejectOtherMethodsFields(fields, name));
        if (method.filter(TrainJob.DREAMBOOTH::equals).isPresent()) {
            requirePresent(fields, "instancePrompt", instancePrompt, "the prompt of the subject's images, with its "
                    + "rare token, such as \"a photo of zwx dog\"");
            if (classDataset.isPresent() && classPrompt.isEmpty()) {
                fields.problems().report(ValidationError.of(ValidationError.Code.INVALID_VALUE, "classDataset",
                        Json.show(classDataset.get()), "no class images without a classPrompt (prior preservation "
                                + "needs the class prompt)"));
            }
        }
        if (unetOnly && textEncoderOnly) {
            fields.problems().report(ValidationError.of(ValidationError.Code.INVALID_VALUE,
                    "networkTrainTextEncoderOnly", "true", LoraNetworkOptions.BOTH_PARTS));
        }
        if (method.filter(TrainJob.TEXTUAL_INVERSION::equals).isPresent()) {
            requirePresent(fields, "token", token, Rules.TOKEN.expected());
            requirePresent(fields, "initToken", initToken, Rules.INIT_TOKEN.expected());
        }
        if (sampleEvery > 0 && samplePrompts.isEmpty()) {
            fields.problems().report(ValidationError.of(ValidationError.Code.INVALID_VALUE, "samplePrompts", "[]",
                    "at least one prompt when sampleEvery is " + sampleEvery));
        }
        TrainSweep.checkCount(fields.problems(), List.of(learningRate.size(), networkDim.size(), networkAlpha.size(),
                maxTrainSteps.size()));
        if (!fields.isValid()) {
            return Optional.empty();
        }
        TrainSweep sweep = new TrainSweep(learningRate, ints(networkDim), networkAlpha, ints(maxTrainSteps));
        TrainSamples samples = new TrainSamples((int) sampleEvery, samplePrompts, sampleSeed, (int) sampleSteps);
        TrainJob.checkSweep(fields.problems(), sweep, output.orElseThrow(), samples);
        if (!fields.isValid()) {
            return Optional.empty();
        }
        String name = method.orElseThrow();
        Optional<DreamBoothOptions> dreambooth = name.equals(TrainJob.DREAMBOOTH) ? Optional.of(new DreamBoothOptions(
                instancePrompt.orElseThrow(), classPrompt, priorLossWeight, (int) numClassImages, classDataset,
                trainTextEncoder))
                : Optional.empty();
        Optional<TextualInversionOptions> textualInversion = name.equals(TrainJob.TEXTUAL_INVERSION)
                ? Optional.of(new TextualInversionOptions(token.orElseThrow(), initToken.orElseThrow(), (int) numVectors))
                : Optional.empty();
        return Optional.of(new TrainJob(id.orElseThrow(), name, model.orElseThrow(), dataset.orElseThrow(),
                output.orElseThrow(), sweep, (int) batch, (int) accumulation, maxGradNorm, lrScheduler, (int) warmup,
                (int) resolution, shuffle, seed, (int) saveEvery, targets, data, loss, dreambooth, textualInversion,
                samples, name.equals(TrainJob.LORA) ? new LoraNetworkOptions(unetOnly, textEncoderOnly,
                optionalDouble(textEncoderLr), optionalDouble(unetLr)) : LoraNetworkOptions.DEFAULTS,
                gradientCheckpointing));
    }

    private static OptionalDouble optionalDouble(Optional<Double> value) {
        return value.map(OptionalDouble::of).orElse(OptionalDouble.empty());
    }

    private static TrainDataOptions readTrainData(FieldReader fields) {
        boolean enableBucket = fields.orDefault("enableBucket", false, bool());
        boolean flipAug = fields.orDefault("flipAug", false, bool());
        boolean shuffleCaption = fields.orDefault("shuffleCaption", false, bool());
        long keepTokens = fields.orDefault("keepTokens", 0L, integer(Rules.KEEP_TOKENS));
        double dropout = fields.orDefault("captionDropoutRate", 0.0, number(Rules.CAPTION_DROPOUT_RATE));
        return new TrainDataOptions(enableBucket, flipAug, shuffleCaption, (int) keepTokens, dropout);
    }

    private static TrainLoss readTrainLoss(FieldReader fields) {
        String predictionType = fields.orDefault("predictionType", TrainLoss.DEFAULTS.predictionType(),
                text(Rules.PREDICTION_TYPE));
        double noiseOffset = fields.orDefault("noiseOffset", 0.0, number(Rules.NOISE_OFFSET));
        Optional<Double> snrGamma = fields.optional("snrGamma", number(Rules.SNR_GAMMA));
        return new TrainLoss(predictionType, noiseOffset, optionalDouble(snrGamma));
    }

    /** Reports each field the job gives that only another method has, naming the field and the job's method. */
    private static void rejectOtherMethodsFields(FieldReader fields, String method) {
        TrainJob.METHOD_FIELDS.forEach((owner, names) -> {
            if (!owner.equals(method)) {
                names.stream().filter(fields::has).forEach(field -> fields.problems().report(ValidationError.of(
                        ValidationError.Code.INVALID_VALUE, field, fields.show(field), TrainJob.noFieldOf(method, field))));
            }
        });
    }

    private static void requirePresent(FieldReader fields, String field, Optional<String> value, String expected) {
        if (value.isEmpty() && !fields.has(field)) {
            fields.problems().report(ValidationError.missing(field, expected));
        }
    }

    /** A value, or a list of 1 to {@value TrainSweep#MAX_COMBINATIONS} distinct values, for a sweep. */
    private static <T> ValueReader<List<T>> oneOrList(ValueReader<T> element) {
        ValueReader<List<T>> list = list(element, "a value or an array of values to sweep", TrainSweep.MAX_COMBINATIONS);
        return (node, path, problems) -> {
            if (!node.isArray()) {
                return element.read(node, path, problems).map(List::of);
            }
            if (node.isEmpty()) {
                problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, path, "[]",
                        "a value or a non-empty array of values to sweep"));
                return Optional.empty();
            }
            return list.and(Rules.distinctValues()).read(node, path, problems);
        };
    }

    private static List<Integer> ints(List<Long> values) {
        return values.stream().map(Long::intValue).toList();
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

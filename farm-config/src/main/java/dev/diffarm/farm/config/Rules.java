package dev.diffarm.farm.config;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Every constraint of the contract, stated once and used both by the parser and by the records' constructors.
 * The JSON Schema states the same ones.
 */
final class Rules {
    /** Letters, digits, '.', '_' and '-': safe in an S3 key and a file name, starting with a letter or digit. */
    private static final Pattern ID_PATTERN = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0," + (Limits.MAX_ID_LENGTH - 1) + "}");

    private static final String NAME_EXCLUDED = "/\\<>:";

    static final Rule<String> API_VERSION = new Rule<>(Job.API_VERSION::equals, "\"" + Job.API_VERSION + "\"",
            ValidationError.Code.UNSUPPORTED_API_VERSION);
    static final Rule<String> KIND = new Rule<>(List.of(RenderJob.KIND, Campaign.KIND, MergeJob.KIND, TrainJob.KIND, UpscaleJob.KIND)::contains,
            "\"" + RenderJob.KIND + "\", \"" + Campaign.KIND + "\", \"" + MergeJob.KIND + "\", \"" + TrainJob.KIND
                    + "\" or \"" + UpscaleJob.KIND + "\"",
            ValidationError.Code.UNKNOWN_KIND);
    static final Rule<String> ID = new Rule<>(id -> ID_PATTERN.matcher(id).matches(),
            "1 to " + Limits.MAX_ID_LENGTH + " letters, digits, '.', '_' or '-', starting with a letter or digit");
    /** Names become file names and log text: no control character, path separator or tag delimiter, no leading dot. */
    static final Rule<String> NAME = new Rule<>(name -> !name.isBlank() && name.length() <= Limits.MAX_NAME_LENGTH
            && !name.startsWith(".") && name.chars().noneMatch(c -> Character.isISOControl(c) || NAME_EXCLUDED.indexOf(c) >= 0),
            "a non-blank name of at most " + Limits.MAX_NAME_LENGTH + " characters, without control characters, '/', '\\', "
                    + "'<', '>' or ':', not starting with '.'");
    static final Rule<String> PROMPT = new Rule<>(text -> !text.isBlank() && text.length() <= Limits.MAX_TEXT_LENGTH,
            "a non-blank prompt of at most " + Limits.MAX_TEXT_LENGTH + " characters");
    static final Rule<String> NEGATIVE_PROMPT = new Rule<>(text -> text.length() <= Limits.MAX_TEXT_LENGTH,
            "a text of at most " + Limits.MAX_TEXT_LENGTH + " characters");
    static final Rule<String> TEMPLATE = new Rule<>(
            text -> text.contains(Style.PROMPT_PLACEHOLDER) && text.length() <= Limits.MAX_TEXT_LENGTH,
            "a template containing " + Style.PROMPT_PLACEHOLDER + ", of at most " + Limits.MAX_TEXT_LENGTH + " characters");
    static final Rule<Long> STEPS = integerIn(Limits.MIN_STEPS, Limits.MAX_STEPS);
    static final Rule<Long> SIDE = new Rule<>(side -> side >= Limits.MIN_SIDE && side <= Limits.MAX_SIDE
            && side % Limits.SIDE_MULTIPLE == 0,
            "a multiple of " + Limits.SIDE_MULTIPLE + " in " + Limits.MIN_SIDE + ".." + Limits.MAX_SIDE + " pixels");
    static final Rule<Long> CLIP_SKIP = integerIn(1, Limits.MAX_CLIP_SKIP);
    static final Rule<Long> SEED = new Rule<>(seed -> seed >= 0 && seed <= Limits.MAX_SEED,
            "an integer in 0.." + Limits.MAX_SEED + " (an unsigned 32-bit seed)");
    static final Rule<Double> CFG = numberIn(0, Limits.MAX_CFG);
    static final Rule<Double> ETA = numberIn(0, 1);
    static final Rule<Double> LORA_WEIGHT = numberIn(-Limits.MAX_LORA_WEIGHT, Limits.MAX_LORA_WEIGHT);
    static final Rule<String> MERGE_METHOD = new Rule<>(id -> MergeMethod.of(id).isPresent(),
            "\"" + MergeMethod.WEIGHTED_SUM.id() + "\" or \"" + MergeMethod.ADD_DIFFERENCE.id() + "\"");
    static final Rule<Double> MULTIPLIER = numberIn(0, 1);
    /** A file name of its own in the models folder: an id's characters cannot leave it, nor hide the file. */
    static final Rule<String> MODEL_OUTPUT = new Rule<>(name -> ID_PATTERN.matcher(name).matches()
            && !name.toLowerCase(Locale.ROOT).endsWith(MergeJob.MODEL_EXTENSION),
            "a model name of 1 to " + Limits.MAX_ID_LENGTH + " letters, digits, '.', '_' or '-', starting with a letter "
                    + "or digit, without " + MergeJob.MODEL_EXTENSION + " (the file is <output>" + MergeJob.MODEL_EXTENSION + ")");

    static final Rule<String> TRAIN_METHOD = new Rule<>(TrainJob.METHODS::contains,
            "\"lora\", \"dreambooth\" or \"textual-inversion\"");
    /**
     * A store prefix under {@code datasets/}: segments of key characters (spaces too, as kohya's repeat folders have
     * them) that start with a letter, digit or '_', so that none is {@code .} or {@code ..}; it ends with '/'.
     */
    private static final Pattern STORED_DATASET_PATTERN = Pattern.compile(Pattern.quote(TrainJob.STORED_DATASET
            + TrainJob.DATASETS_PREFIX) + "([A-Za-z0-9_][A-Za-z0-9._ -]{0,99}/){1,8}");
    private static final int MAX_STORED_DATASET_LENGTH = 256;
    /**
     * A folder of its own under the datasets root (an id's characters cannot leave it), or a prefix of the store under
     * {@code datasets/} (in the job's tenant's part of the store).
     */
    static final Rule<String> DATASET = new Rule<>(name -> ID_PATTERN.matcher(name).matches()
            || name.length() <= MAX_STORED_DATASET_LENGTH && STORED_DATASET_PATTERN.matcher(name).matches(),
            "the name of a folder under the farm's datasets root: 1 to " + Limits.MAX_ID_LENGTH + " letters, digits, "
                    + "'.', '_' or '-', starting with a letter or digit (a name, not a path); or a store prefix "
                    + "\"" + TrainJob.STORED_DATASET + TrainJob.DATASETS_PREFIX + "<folder>/\" of at most "
                    + MAX_STORED_DATASET_LENGTH + " characters: 1 to 8 folders of letters, digits, '.', '_', '-' or "
                    + "' ', each starting with a letter, digit or '_', each ending with '/'");
    /** A file name of its own in the loras, embeddings or models folder; a sweep appends each combination's label. */
    static final Rule<String> TRAIN_OUTPUT = new Rule<>(name -> ID_PATTERN.matcher(name).matches()
            && !name.toLowerCase(Locale.ROOT).endsWith(TrainJob.OUTPUT_EXTENSION),
            "a name of 1 to " + Limits.MAX_ID_LENGTH + " letters, digits, '.', '_' or '-', starting with a letter "
                    + "or digit, without " + TrainJob.OUTPUT_EXTENSION + " (the file is <output>" + TrainJob.OUTPUT_EXTENSION + ")");
    static final Rule<Double> LEARNING_RATE = new Rule<>(rate -> rate > 0 && rate <= 1, "a number in (0, 1]: "
            + "a learning rate above 0");
    static final Rule<Long> NETWORK_DIM = integerIn(1, Limits.MAX_NETWORK_DIM);
    static final Rule<Double> NETWORK_ALPHA = new Rule<>(alpha -> alpha > 0 && alpha <= Limits.MAX_NETWORK_DIM,
            "a number in (0, " + Limits.MAX_NETWORK_DIM + "]");
    static final Rule<Long> TRAIN_STEPS = integerIn(1, Limits.MAX_TRAIN_STEPS);
    static final Rule<Long> TRAIN_BATCH = integerIn(1, Limits.MAX_TRAIN_BATCH);
    static final Rule<Long> ACCUMULATION = integerIn(1, Limits.MAX_TRAIN_BATCH);
    static final Rule<Double> MAX_GRAD_NORM = numberIn(0, 1e6);
    static final Rule<String> LR_SCHEDULER = new Rule<>(TrainJob.LR_SCHEDULERS::contains,
            "one of " + String.join(", ", TrainJob.LR_SCHEDULERS));
    static final Rule<Long> WARMUP_STEPS = integerIn(0, Limits.MAX_TRAIN_STEPS);
    static final Rule<Long> RESOLUTION = new Rule<>(side -> side >= Limits.SIDE_MULTIPLE && side <= Limits.MAX_SIDE
            && side % Limits.SIDE_MULTIPLE == 0,
            "a multiple of " + Limits.SIDE_MULTIPLE + " in " + Limits.SIDE_MULTIPLE + ".." + Limits.MAX_SIDE + " pixels");
    static final Rule<Long> SAVE_EVERY = integerIn(0, Limits.MAX_TRAIN_STEPS);
    /** A module name as peft's {@code target_modules} takes it: {@code to_q}, {@code to_out.0}, {@code ff.net.2}. */
    static final Rule<String> LORA_TARGET = new Rule<>(name -> name.matches("[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z0-9_]+)*")
            && name.length() <= Limits.MAX_NAME_LENGTH, "a module name as peft takes it, such as to_q or to_out.0");

    /** A store key under the inputs prefix: segments of safe characters, none starting with '.', so none is "..". */
    private static final Pattern INPUT_KEY_PATTERN = Pattern.compile(Pattern.quote(ImageInput.INPUTS_PREFIX)
            + "([A-Za-z0-9_][A-Za-z0-9._-]*/)*[A-Za-z0-9_][A-Za-z0-9._-]*");
    static final Rule<String> INPUT_KEY = new Rule<>(key -> key.length() <= Limits.MAX_INPUT_KEY_LENGTH
            && INPUT_KEY_PATTERN.matcher(key).matches(), InlineImage.EXPECTED + " (a key's segments are letters, "
            + "digits, '.', '_' or '-', none starting with '.')");
    static final Rule<Double> DENOISING_STRENGTH = new Rule<>(value -> value > 0 && value <= 1,
            "a number in (0, 1]: above 0, since 0 repaints nothing");
    static final Rule<Long> MASK_BLUR = integerIn(0, Limits.MAX_MASK_BLUR);
    static final Rule<Long> PADDING = integerIn(0, Limits.MAX_SIDE);
    static final Rule<Long> OUTPAINT_SIDE = integerIn(0, Limits.MAX_SIDE);
    static final Rule<Double> HR_SCALE = numberIn(1, Limits.MAX_HIRES_SCALE);
    static final Rule<Long> HR_STEPS = new Rule<>(steps -> steps >= 0 && steps <= Limits.MAX_STEPS,
            "an integer in 0.." + Limits.MAX_STEPS + " (0 for the task's steps)");
    /** An upscaler plugin's resampler or an upscaler model file's name: one file name, no path. */
    private static final java.util.function.Predicate<String> UPSCALER_NAME = name -> !name.isBlank()
            && name.length() <= Limits.MAX_NAME_LENGTH
            && name.chars().noneMatch(c -> c == '/' || c == '\\' || Character.isISOControl(c));
    static final Rule<String> HR_UPSCALER = new Rule<>(name -> Limits.HIRES_UPSCALERS.contains(name)
            || UPSCALER_NAME.test(name), "a hires upscaler: " + String.join(", ", Limits.HIRES_UPSCALERS.stream()
                    .map(name -> "\"" + name + "\"").toList()) + ", or an upscaler's name (GET /plugins, an upscaler "
            + "model file's name)");
    static final Rule<String> UPSCALER = new Rule<>(UPSCALER_NAME,
            "the name of an upscaler the farm has (a resampler such as \"Lanczos\", or an upscaler model's name)");
    static final Rule<Double> CONTROLNET_WEIGHT = numberIn(0, Limits.MAX_CONTROLNET_WEIGHT);
    static final Rule<Double> GUIDANCE = numberIn(0, 1);
    static final Rule<Double> CONTROL_THRESHOLD = numberIn(0, Limits.MAX_CONTROL_THRESHOLD);
    static final Rule<Long> PROCESSOR_RES = integerIn(Limits.MIN_PROCESSOR_RES, Limits.MAX_PROCESSOR_RES);
    static final Rule<Double> UPSCALE_FACTOR = numberIn(1, Limits.MAX_UPSCALE_FACTOR);
    static final Rule<Long> TILE = integerIn(0, Limits.MAX_TILE);
    static final Rule<Long> TILE_OVERLAP = integerIn(0, Limits.MAX_TILE - 1);
    static final Rule<Long> NOISE_LEVEL = integerIn(0, Limits.MAX_NOISE_LEVEL);
    static final Rule<Long> KEEP_TOKENS = integerIn(0, Limits.MAX_CAPTION_TAGS);
    static final Rule<Double> CAPTION_DROPOUT_RATE = numberIn(0, 1);
    static final Rule<String> PREDICTION_TYPE = new Rule<>(type -> TrainLoss.PREDICTION_TYPES.contains(type),
            "\"epsilon\" or \"v_prediction\"");
    static final Rule<Double> NOISE_OFFSET = numberIn(0, 1);
    static final Rule<Double> SNR_GAMMA = new Rule<>(gamma -> gamma > 0 && gamma <= 100, "a number in (0, 100]");
    static final Rule<Double> PRIOR_LOSS_WEIGHT = numberIn(0, 100);
    static final Rule<Long> NUM_CLASS_IMAGES = integerIn(1, Limits.MAX_CLASS_IMAGES);
    /** A new token as prompts write it: {@code <zwx>}; no whitespace, so that it stays one word of the prompt. */
    static final Rule<String> TOKEN = new Rule<>(token -> token.matches("[^\\s,:()\\[\\]]{1,64}"),
            "1 to 64 characters without whitespace, ',', ':', brackets or parentheses, such as <zwx>");
    static final Rule<String> INIT_TOKEN = new Rule<>(word -> word.matches("[^\\s]{1,64}"),
            "one existing word of 1 to 64 characters without whitespace, such as person");
    static final Rule<Long> NUM_VECTORS = integerIn(1, Limits.MAX_TOKEN_VECTORS);

    /** Prompts, negative prompts and templates: no control characters but tab and newline, well-formed LoRA tags. */
    static final Check<String> PROMPT_TEXT = (problems, path, text) -> PromptText.problem(text).ifPresent(expected ->
            problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, path, Json.show(text), expected)));
    static final Check<List<String>> PROMPTS = nonEmptyDistinct("prompt", Function.identity(), "");
    static final Check<List<Long>> SEEDS = nonEmptyDistinct("seed", Function.identity(), "");
    static final Check<List<Size>> SIZES = nonEmptyDistinct("size", Function.identity(), "");
    static final Check<List<Style>> STYLES = nonEmptyDistinct("style name", Style::name, ".name");
    static final Check<List<ImageInput>> UPSCALE_IMAGES = nonEmptyDistinct("picture", ImageInput::identity, "");
    static final Check<List<Lora>> LORAS = distinct("LoRA", Lora::name, ".name");
    static final Check<List<String>> SAMPLE_PROMPTS = distinct("prompt", Function.identity(), "");

    private Rules() {
    }

    private static Rule<Long> integerIn(long min, long max) {
        return new Rule<>(value -> value >= min && value <= max, "an integer in " + min + ".." + max);
    }

    private static Rule<Double> numberIn(double min, double max) {
        return new Rule<>(value -> value >= min && value <= max,
                "a number in " + plain(min) + ".." + plain(max));
    }

    /** A bound as people write it: {@code 100}, not {@code 100.0}. */
    private static String plain(double bound) {
        return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }

    /** {@code text}, if {@code rule} and {@link #PROMPT_TEXT} allow it; otherwise an exception naming {@code field}. */
    static String requireText(Rule<String> rule, String field, String text) {
        rule.require(field, text);
        PROMPT_TEXT.check(Problems.THROWING, field, text);
        return text;
    }

    /** Fails unless every job's two lists are valid: prompts and seeds, each item allowed and listed once. */
    static void requirePromptsAndSeeds(List<String> prompts, List<Long> seeds) {
        for (int i = 0; i < prompts.size(); i++) {
            requireText(PROMPT, FieldPath.index("prompts", i), prompts.get(i));
        }
        PROMPTS.check(Problems.THROWING, "prompts", prompts);
        for (int i = 0; i < seeds.size(); i++) {
            SEED.require(FieldPath.index("seeds", i), seeds.get(i));
        }
        SEEDS.check(Problems.THROWING, "seeds", seeds);
    }

    /** A list with at least one item, no two sharing their {@code identity}; see {@link #distinct}. */
    private static <T> Check<List<T>> nonEmptyDistinct(String noun, Function<T, ?> identity, String identitySuffix) {
        Check<List<T>> distinct = distinct(noun, identity, identitySuffix);
        return (problems, path, items) -> {
            if (items.isEmpty()) {
                problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, path, "[]", "at least one " + noun));
            }
            distinct.check(problems, path, items);
        };
    }

    /**
     * A list no two items of which share their {@code identity}: a repeat is reported at its index followed
     * by {@code identitySuffix} (such as {@code styles[2].name}), naming the earlier item.
     */
    private static <T> Check<List<T>> distinct(String noun, Function<T, ?> identity, String identitySuffix) {
        return (problems, path, items) -> {
            Map<Object, Integer> firstIndex = new HashMap<>();
            for (int i = 0; i < items.size(); i++) {
                Object key = identity.apply(items.get(i));
                Integer earlier = firstIndex.putIfAbsent(key, i);
                if (earlier != null) {
                    problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE,
                            FieldPath.index(path, i) + identitySuffix, Json.show(key),
                            "a " + noun + " not listed before (" + FieldPath.index(path, earlier) + identitySuffix
                                    + " has it)"));
                }
            }
        };
    }

    /** A list no two items of which are equal, for a sweep's values. */
    static <T> Check<List<T>> distinctValues() {
        return distinct("value", Function.identity(), "");
    }

    /** Checks that a job of {@code tasks} tasks, from the named {@code expansion}, stays within the cap. */
    static void checkTaskCount(Problems problems, String expansion, long tasks) {
        if (tasks > Limits.MAX_TASKS) {
            problems.report(ValidationError.tooManyTasks(expansion, tasks));
        }
    }
}

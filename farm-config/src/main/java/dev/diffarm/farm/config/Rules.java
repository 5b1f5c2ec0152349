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

    static final Rule<String> API_VERSION = new Rule<>(Job.API_VERSION::equals, "\"" + Job.API_VERSION + "\"",
            ValidationError.Code.UNSUPPORTED_API_VERSION);
    static final Rule<String> KIND = new Rule<>(List.of(RenderJob.KIND, Campaign.KIND, MergeJob.KIND)::contains,
            "\"" + RenderJob.KIND + "\", \"" + Campaign.KIND + "\" or \"" + MergeJob.KIND + "\"",
            ValidationError.Code.UNKNOWN_KIND);
    static final Rule<String> ID = new Rule<>(id -> ID_PATTERN.matcher(id).matches(),
            "1 to " + Limits.MAX_ID_LENGTH + " letters, digits, '.', '_' or '-', starting with a letter or digit");
    static final Rule<String> NAME = new Rule<>(name -> !name.isBlank() && name.length() <= Limits.MAX_NAME_LENGTH,
            "a non-blank name of at most " + Limits.MAX_NAME_LENGTH + " characters");
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

    static final Check<List<String>> PROMPTS = nonEmptyDistinct("prompt", Function.identity(), "");
    static final Check<List<Long>> SEEDS = nonEmptyDistinct("seed", Function.identity(), "");
    static final Check<List<Size>> SIZES = nonEmptyDistinct("size", Function.identity(), "");
    static final Check<List<Style>> STYLES = nonEmptyDistinct("style name", Style::name, ".name");
    static final Check<List<Lora>> LORAS = distinct("LoRA", Lora::name, ".name");

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

    /** Fails unless every job's two lists are valid: prompts and seeds, each item allowed and listed once. */
    static void requirePromptsAndSeeds(List<String> prompts, List<Long> seeds) {
        for (int i = 0; i < prompts.size(); i++) {
            PROMPT.require(FieldPath.index("prompts", i), prompts.get(i));
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

    /** Checks that a job of {@code tasks} tasks, from the named {@code expansion}, stays within the cap. */
    static void checkTaskCount(Problems problems, String expansion, long tasks) {
        if (tasks > Limits.MAX_TASKS) {
            problems.report(ValidationError.tooManyTasks(expansion, tasks));
        }
    }
}

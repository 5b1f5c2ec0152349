package dev.diffarm.engine.image;

import dev.diffarm.engine.prompt.Emphasis;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How an image was made, written into its PNG as AUTOMATIC1111's infotext ({@link #toInfotext}) so
 * that A1111, civitai and diffarm itself can reproduce it from the file alone.
 *
 * @param prompt         the prompt as the user wrote it
 * @param negativePrompt the negative prompt; empty for none
 * @param steps          sampling steps
 * @param sampler        A1111's sampler name, such as {@code Euler a} or {@code DPM++ 2M Karras}
 * @param cfgScale       classifier-free guidance scale
 * @param seed           the seed of the initial noise
 * @param width          image width in pixels
 * @param height         image height in pixels
 * @param modelHash      A1111's short model hash ({@link ModelHash#shortHash})
 * @param modelName      the model's name, A1111 uses the checkpoint file name without extension
 * @param extras         further {@code Key: value} pairs, written after the model in this order
 */
public record GenerationParameters(String prompt, String negativePrompt, int steps, String sampler, double cfgScale,
                                   long seed, int width, int height, String modelHash, String modelName,
                                   Map<String, String> extras) {
    /** A1111's key for the noise schedule, written next to the sampler rather than with the other extras. */
    public static final String SCHEDULE_TYPE = "Schedule type";
    private static final Set<String> STANDARD_KEYS =
            Set.of("Steps", "Sampler", "CFG scale", "Seed", "Size", "Model hash", "Model");

    public GenerationParameters {
        Objects.requireNonNull(prompt, "prompt");
        Objects.requireNonNull(negativePrompt, "negativePrompt (empty for none)");
        Objects.requireNonNull(sampler, "sampler");
        Objects.requireNonNull(modelHash, "modelHash");
        Objects.requireNonNull(modelName, "modelName");
        if (steps <= 0 || width <= 0 || height <= 0) {
            throw new IllegalArgumentException("steps, width and height must be positive, got " + steps + ", "
                    + width + ", " + height);
        }
        InfotextNumbers.format(cfgScale);
        extras = Collections.unmodifiableMap(new LinkedHashMap<>(extras));
        extras.forEach(GenerationParameters::checkExtra);
    }

    /** The parameters without extras. */
    public GenerationParameters(String prompt, String negativePrompt, int steps, String sampler, double cfgScale,
                                long seed, int width, int height, String modelHash, String modelName) {
        this(prompt, negativePrompt, steps, sampler, cfgScale, seed, width, height, modelHash, modelName, Map.of());
    }

    /** These parameters with {@code key: value} appended to the extras. */
    public GenerationParameters with(String key, String value) {
        checkExtra(key, value);
        if (extras.containsKey(key)) {
            throw new IllegalArgumentException("infotext key '" + key + "' is already set to '" + extras.get(key) + "'");
        }
        Map<String, String> more = new LinkedHashMap<>(extras);
        more.put(key, value);
        return new GenerationParameters(prompt, negativePrompt, steps, sampler, cfgScale, seed, width, height,
                modelHash, modelName, more);
    }

    /** These parameters with {@code Clip skip}, which A1111 writes only when it is above 1. */
    public GenerationParameters withClipSkip(int clipSkip) {
        if (clipSkip < 1) {
            throw new IllegalArgumentException("clip skip counts from 1, got " + clipSkip);
        }
        return clipSkip == 1 ? this : with("Clip skip", Integer.toString(clipSkip));
    }

    /**
     * These parameters with A1111's {@code Schedule type} (its name for the noise schedule, {@code Karras}), which
     * {@link #toInfotext} writes right after {@code Sampler} as A1111 1.9 and later do; unchanged when empty (the
     * model's own schedule).
     */
    public GenerationParameters withScheduleType(Optional<String> schedule) {
        return schedule.map(name -> with(SCHEDULE_TYPE, name)).orElse(this);
    }

    /**
     * These parameters with A1111's {@code TI hashes}: {@code name: hash} for each textual-inversion
     * embedding, joined by {@code ", "} (and so written quoted), with colons and commas removed from the
     * names; unchanged when there are none.
     */
    public GenerationParameters withTextualInversionHashes(List<NamedHash> embeddings) {
        return embeddings.isEmpty() ? this : with("TI hashes", hashList(embeddings));
    }

    /** A1111's list of named hashes, as its {@code TI hashes} and {@code Lora hashes} write them. */
    private static String hashList(List<NamedHash> files) {
        return files.stream()
                .map(file -> file.name().replace(":", "").replace(",", "") + ": " + file.hash())
                .collect(Collectors.joining(", "));
    }

    /**
     * These parameters with A1111's {@code Emphasis}, which it writes only when the mode is not its default
     * and a prompt has a bracket that the mode reads differently.
     */
    public GenerationParameters withEmphasis(Emphasis emphasis) {
        boolean brackets = (prompt + negativePrompt).chars().anyMatch(c -> c == '(' || c == '[');
        return emphasis == Emphasis.ORIGINAL || !brackets ? this : with("Emphasis", emphasis.infotextName());
    }

    /** {@code value} as A1111 prints numbers: {@code 7} for a whole number, Python's repr otherwise ({@code 0.75}). */
    public static String number(double value) {
        return InfotextNumbers.format(value);
    }

    /**
     * A1111's infotext (its {@code create_infotext}): the prompt; {@code Negative prompt: ...} on its own
     * line unless empty; then {@code Steps: 20, Sampler: Euler a, CFG scale: 7.5, Seed: 42, Size: 512x512,
     * Model hash: 6ce0161689, Model: name} and the extras ({@code Schedule type} right after the sampler). A value
     * holding a comma, colon or newline is written as a JSON string, as A1111 does; the whole text is stripped of
     * surrounding whitespace.
     */
    public String toInfotext() {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Steps", Integer.toString(steps));
        fields.put("Sampler", sampler);
        if (extras.containsKey(SCHEDULE_TYPE)) {
            fields.put(SCHEDULE_TYPE, extras.get(SCHEDULE_TYPE)); // putAll below keeps it in this place
        }
        fields.put("CFG scale", number(cfgScale));
        fields.put("Seed", Long.toString(seed));
        fields.put("Size", width + "x" + height);
        fields.put("Model hash", modelHash);
        fields.put("Model", modelName);
        fields.putAll(extras);
        StringBuilder line = new StringBuilder();
        fields.forEach((key, value) -> {
            if (line.length() > 0) {
                line.append(", ");
            }
            // A1111 writes a flag whose value equals its key as the bare key
            line.append(key.equals(value) ? key : key + ": " + quote(value));
        });
        String negative = negativePrompt.isEmpty() ? "" : "\nNegative prompt: " + negativePrompt;
        return pythonStrip(prompt + negative + "\n" + line);
    }

    private static void checkExtra(String key, String value) {
        Objects.requireNonNull(key, "infotext key");
        Objects.requireNonNull(value, () -> "value of infotext key '" + key + "'");
        if (STANDARD_KEYS.contains(key)) {
            throw new IllegalArgumentException("'" + key + "' is a standard infotext field, not an extra");
        }
        if (key.isEmpty() || key.contains(":") || key.contains(",") || key.contains("\n")) {
            throw new IllegalArgumentException("infotext key '" + key + "' must be non-empty without ':', ',' or newlines");
        }
    }

    /** A1111's {@code quote}: {@code json.dumps(value, ensure_ascii=False)} when the value would not parse back. */
    static String quote(String value) {
        if (!value.contains(",") && !value.contains(":") && !value.contains("\n")) {
            return value;
        }
        StringBuilder json = new StringBuilder("\"");
        for (char c : value.toCharArray()) {
            switch (c) {
                case '"' -> json.append("\\\"");
                case '\\' -> json.append("\\\\");
                case '\n' -> json.append("\\n");
                case '\r' -> json.append("\\r");
                case '\t' -> json.append("\\t");
                case '\b' -> json.append("\\b");
                case '\f' -> json.append("\\f");
                default -> {
                    if (c < 0x20) {
                        json.append(String.format("\\u%04x", (int) c));
                    } else {
                        json.append(c);
                    }
                }
            }
        }
        return json.append('"').toString();
    }

    /** Python's {@code str.strip()}, whose whitespace includes no-break spaces and U+0085. */
    private static String pythonStrip(String text) {
        int begin = 0;
        int end = text.length();
        while (begin < end && isPythonSpace(text.charAt(begin))) {
            begin++;
        }
        while (end > begin && isPythonSpace(text.charAt(end - 1))) {
            end--;
        }
        return text.substring(begin, end);
    }

    private static boolean isPythonSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }
}

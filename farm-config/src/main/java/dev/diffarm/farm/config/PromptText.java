package dev.diffarm.farm.config;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What prompt text must not hold: control characters (a NUL ends a C string; an escape or a carriage return
 * forges terminal and log output), and {@code <lora:} tags the engine cannot read, which would otherwise fail only
 * at render time and, with a line break inside, forge log lines and infotext fields.
 */
final class PromptText {
    /** What a well-formed text is, completing "expected ...". */
    static final String LORA_TAGS = "LoRA tags written <lora:NAME> or <lora:NAME:WEIGHT> (NAME without '<', '>', ':' or "
            + "control characters; WEIGHT a number in -" + plain(Limits.MAX_LORA_WEIGHT) + ".."
            + plain(Limits.MAX_LORA_WEIGHT) + ")";
    private static final String TAG_START = "<lora:";
    private static final Pattern LORA_TAG = Pattern.compile(
            "<lora:[^<>:\\p{Cntrl}]*[^<>:\\s][^<>:\\p{Cntrl}]*(?::\\s*([-+]?(?:\\d+(?:\\.\\d*)?|\\.\\d+))\\s*)?>");

    private PromptText() {
    }

    /** What is wrong with {@code text}, completing "expected ..."; empty when nothing is. */
    static Optional<String> problem(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (Character.isISOControl(c) && c != '\n' && c != '\t') {
                return Optional.of(String.format("no control characters but tab and newline (U+%04X at index %d)", (int) c, i));
            }
        }
        Matcher tag = LORA_TAG.matcher(text);
        for (int at = text.indexOf(TAG_START); at >= 0; at = text.indexOf(TAG_START, at + 1)) {
            if (!tag.region(at, text.length()).lookingAt() || !weightInRange(tag.group(1))) {
                return Optional.of(LORA_TAGS + ": the tag at index " + at + " is not");
            }
        }
        return Optional.empty();
    }

    private static boolean weightInRange(String weight) {
        return weight == null || Math.abs(Double.parseDouble(weight)) <= Limits.MAX_LORA_WEIGHT;
    }

    private static String plain(double bound) {
        return bound == Math.rint(bound) ? Long.toString((long) bound) : Double.toString(bound);
    }
}

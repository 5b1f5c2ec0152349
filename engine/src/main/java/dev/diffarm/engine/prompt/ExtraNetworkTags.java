package dev.diffarm.engine.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AUTOMATIC1111's extra-network tags, {@code <type:arguments>}, taken out of a prompt before anything else
 * reads it ({@code extra_networks.parse_prompt}): every tag is removed from the text, whatever its type, and
 * the {@code lora} tags are kept as {@link LoraTag}s, in the order they appear.
 *
 * @param text  the prompt without its tags
 * @param loras the {@code <lora:NAME>} and {@code <lora:NAME:WEIGHT>} tags
 */
public record ExtraNetworkTags(String text, List<LoraTag> loras) {
    private static final Pattern TAG = Pattern.compile("<(\\w+):([^>]+)>", Pattern.UNICODE_CHARACTER_CLASS);

    public ExtraNetworkTags {
        loras = List.copyOf(loras);
    }

    /**
     * Splits the tags off {@code prompt}.
     *
     * @throws IllegalArgumentException naming the tag, for a LoRA weight that is not a number or a LoRA tag
     *                                  with more than a name and a weight
     */
    public static ExtraNetworkTags extract(String prompt) {
        List<LoraTag> loras = new ArrayList<>();
        StringBuilder text = new StringBuilder();
        Matcher tag = TAG.matcher(prompt);
        while (tag.find()) {
            if (tag.group(1).equals("lora")) {
                loras.add(lora(tag.group(), tag.group(2).split(":", -1)));
            }
            tag.appendReplacement(text, "");
        }
        tag.appendTail(text);
        return new ExtraNetworkTags(text.toString(), loras);
    }

    private static LoraTag lora(String tag, String[] arguments) {
        if (arguments.length > 2) {
            throw new IllegalArgumentException("prompt tag " + tag + ": expected <lora:NAME> or <lora:NAME:WEIGHT>"
                    + " (separate text-encoder and UNet weights are not supported)");
        }
        if (arguments.length == 1) {
            return new LoraTag(arguments[0], 1.0);
        }
        try {
            double weight = Double.parseDouble(arguments[1].strip());
            if (Double.isFinite(weight)) {
                return new LoraTag(arguments[0], weight);
            }
        } catch (NumberFormatException notANumber) {
            // reported below, with the tag
        }
        throw new IllegalArgumentException("prompt tag " + tag + ": weight '" + arguments[1] + "' is not a number");
    }
}

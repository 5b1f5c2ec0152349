package dev.diffarm.farm.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A campaign's style: a prompt template and what it adds to the render settings. In JSON:
 * <pre>{@code {"name": "oil", "template": "oil painting of {prompt}, impasto", "negativePrompt": "photo",
 *  "loras": [{"name": "oil-brush", "weight": 0.7}]}}</pre>
 *
 * <p>Applied to a prompt and the campaign's settings, a style works as AUTOMATIC1111's styles do:
 * <ul>
 *   <li>the prompt is the template with every {@code {prompt}} replaced by the campaign's prompt;</li>
 *   <li>the negative prompt: a style without one leaves the campaign's as it is; if the style's contains
 *       {@code {prompt}}, that placeholder is replaced by the campaign's negative prompt; otherwise the two,
 *       stripped, are joined with {@code ", "} (the style's alone when the campaign's is blank);</li>
 *   <li>LoRAs: the campaign's, then the style's; a LoRA both name takes the style's weight, in the
 *       campaign's position.</li>
 *   <li>modes: a style's init image (with its resize mode, strength, mask or outpainting) replaces the campaign's,
 *       and so does its hires pass ({@code "initImage": ...} or {@code "enableHr": true} and their fields, as on
 *       a job); an init image and a hires pass may not meet;</li>
 *   <li>ControlNet units: a style's {@code controlnets}, when it has any, replace the campaign's, all of them.</li>
 *   <li>upscale step: a style's {@code upscale} replaces the campaign's.</li>
 * </ul>
 *
 * @param name           a label unique within the campaign, shown in captions
 * @param template       the prompt template; contains {@value #PROMPT_PLACEHOLDER}
 * @param negativePrompt what the style steers away from; empty for nothing
 * @param loras          LoRAs the style adds; empty for none
 * @param modes          the init image or hires pass the style sets; {@link ImageModes#NONE} for the campaign's
 */
public record Style(String name, String template, String negativePrompt, List<Lora> loras, ImageModes modes) {
    /** The placeholder a template must contain: it stands for the prompt. */
    public static final String PROMPT_PLACEHOLDER = "{prompt}";

    public Style {
        Rules.NAME.require("name", name);
        Rules.requireText(Rules.TEMPLATE, "template", template);
        Rules.requireText(Rules.NEGATIVE_PROMPT, "negativePrompt", negativePrompt);
        loras = List.copyOf(loras);
        Rules.LORAS.check(Problems.THROWING, "loras", loras);
        Objects.requireNonNull(modes, "modes");
    }

    /** A style that leaves the campaign's modes as they are. */
    public Style(String name, String template, String negativePrompt, List<Lora> loras) {
        this(name, template, negativePrompt, loras, ImageModes.NONE);
    }

    /** A style with no negative prompt and no LoRAs. */
    public Style(String name, String template) {
        this(name, template, Defaults.NEGATIVE_PROMPT, List.of());
    }

    /** The prompt this style makes of {@code prompt}. */
    public String applyToPrompt(String prompt) {
        return template.replace(PROMPT_PLACEHOLDER, prompt);
    }

    /** The settings this style makes of {@code settings}: its negative prompt, LoRAs and modes merged in. */
    public RenderSettings applyTo(RenderSettings settings) {
        return settings.withNegativePrompt(mergeNegativePrompt(settings.negativePrompt()))
                .withLoras(mergeLoras(settings.loras())).withModes(modes.over(settings.modes()));
    }

    /** The negative prompt of a task in this style, from the campaign's {@code negative} prompt. */
    String mergeNegativePrompt(String negative) {
        if (negativePrompt.isEmpty()) {
            return negative;
        }
        if (negativePrompt.contains(PROMPT_PLACEHOLDER)) {
            return negativePrompt.replace(PROMPT_PLACEHOLDER, negative);
        }
        List<String> parts = new ArrayList<>();
        for (String part : List.of(negative.strip(), negativePrompt.strip())) {
            if (!part.isEmpty()) {
                parts.add(part);
            }
        }
        return String.join(", ", parts);
    }

    private List<Lora> mergeLoras(List<Lora> base) {
        Map<String, Lora> byName = new LinkedHashMap<>();
        for (Lora lora : base) {
            byName.put(lora.name(), lora);
        }
        for (Lora lora : loras) {
            byName.put(lora.name(), lora);
        }
        return List.copyOf(byName.values());
    }
}

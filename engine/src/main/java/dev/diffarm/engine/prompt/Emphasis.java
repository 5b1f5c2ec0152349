package dev.diffarm.engine.prompt;

import java.util.List;

/**
 * AUTOMATIC1111's "Emphasis mode" setting: whether {@code (text)}, {@code [text]}, {@code (text:1.3)} and
 * {@code BREAK} mean something. Prompt editing, alternation and textual-inversion triggers work in both.
 */
public enum Emphasis {
    /**
     * A1111's default: the prompt is read by {@link PromptAttention}, each token's hidden state is multiplied by
     * its weight and each chunk is then rescaled so that its mean is what it was before.
     */
    ORIGINAL("Original"),
    /** Brackets and {@code BREAK} are plain text, as diffusers reads every prompt. */
    NONE("None");

    private final String infotextName;

    Emphasis(String infotextName) {
        this.infotextName = infotextName;
    }

    /** The name A1111 writes as {@code Emphasis: ...} in an image's parameters. */
    public String infotextName() {
        return infotextName;
    }

    /** The weighted pieces of one prompt text. */
    public List<Fragment> fragments(String text) {
        return this == ORIGINAL ? PromptAttention.parse(text) : List.of(new Fragment.Text(text, 1.0));
    }
}

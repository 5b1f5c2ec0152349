package dev.diffarm.engine.prompt;

/**
 * A piece of a prompt after AUTOMATIC1111's attention parse ({@link PromptAttention}): text with the
 * weight its tokens get, or a {@code BREAK} that starts a new chunk of 75 tokens.
 */
public sealed interface Fragment permits Fragment.Text, Fragment.Break {

    /**
     * Text whose tokens all get {@code weight}: 1 for plain text, 1.1 inside {@code (...)}, 1/1.1 inside
     * {@code [...]}, the number of {@code (text:1.3)}, multiplied through every enclosing bracket.
     */
    record Text(String text, double weight) implements Fragment {
    }

    /** {@code BREAK}: the tokens after it start a new chunk. */
    record Break() implements Fragment {
    }
}

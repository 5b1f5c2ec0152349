package dev.diffarm.engine.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.engine.prompt.Fragment.Break;
import dev.diffarm.engine.prompt.Fragment.Text;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The weights A1111's {@code parse_prompt_attention} gives, worked out by hand from its rules: a round bracket
 * multiplies by 1.1 when it closes (or, left open, at the end), a square one by 1/1.1, {@code (x:w)} by w; the
 * multiplications happen in that order on doubles, so the expected values are written as the same products.
 */
class PromptAttentionTest {
    private static final double UP = 1.1;
    private static final double DOWN = 1 / 1.1;

    private static Text text(String text, double weight) {
        return new Text(text, weight);
    }

    private static void assertParsed(String prompt, Fragment... expected) {
        assertEquals(List.of(expected), PromptAttention.parse(prompt), prompt);
    }

    @Test
    void plainTextHasWeightOne() {
        assertParsed("a painting of a cat", text("a painting of a cat", 1.0));
        assertParsed("", text("", 1.0));
    }

    @Test
    void roundBracketsMultiplyByOnePointOneEachLevel() {
        assertParsed("an (important) word", text("an ", 1.0), text("important", 1.1), text(" word", 1.0));
        assertParsed("((a))", text("a", 1.0 * UP * UP));
        assertEquals(1.2100000000000002, ((Text) PromptAttention.parse("((a))").get(0)).weight());
        assertParsed("(((a)))", text("a", 1.0 * UP * UP * UP));
    }

    @Test
    void squareBracketsDivideByOnePointOne() {
        assertParsed("a [b] c", text("a ", 1.0), text("b", DOWN), text(" c", 1.0));
        assertParsed("[[b]]", text("b", 1.0 * DOWN * DOWN));
    }

    @Test
    void explicitWeightReplacesTheRoundMultiplier() {
        assertParsed("a (b:1.3) c", text("a ", 1.0), text("b", 1.3), text(" c", 1.0));
        assertParsed("((b:1.3))", text("b", 1.3 * UP));
        assertParsed("(b:0.5)", text("b", 0.5));
        assertParsed("(b:-1)", text("b", -1.0));
        assertParsed("(b:.5)", text("b", 0.5));
        assertParsed("(b:+2.)", text("b", 2.0));
    }

    /** The example of A1111's documentation, whose printed weights are these exact doubles. */
    @Test
    void nestedExampleFromA1111() {
        assertParsed("a (((house:1.3)) [on] a (hill:0.5), sun, (((sky))).",
                text("a ", 1.0),
                text("house", 1.5730000000000004),
                text(" ", 1.1),
                text("on", 1.0),
                text(" a ", 1.1),
                text("hill", 0.55),
                text(", sun, ", 1.1),
                text("sky", 1.4641000000000006),
                text(".", 1.1));
    }

    @Test
    void equalNeighboursMerge() {
        assertParsed("(unnecessary)(parens)", text("unnecessaryparens", 1.1));
        assertParsed("a [b] (c:0.9090909090909091)", text("a ", 1.0), text("b", DOWN), text(" ", 1.0),
                text("c", 0.9090909090909091));
    }

    @Test
    void escapesAreLiteralCharacters() {
        assertParsed("\\(literal\\]", text("(literal]", 1.0));
        assertParsed("\\[a\\) \\\\ b", text("[a) \\ b", 1.0));
        assertParsed("(a \\(b\\))", text("a (b)", 1.1));
        assertParsed("a\\b", text("ab", 1.0));
    }

    @Test
    void unbalancedBracketsDegradeLikeA1111() {
        assertParsed("(unbalanced", text("unbalanced", 1.1));
        assertParsed("[unbalanced", text("unbalanced", DOWN));
        assertParsed("unbalanced)", text("unbalanced)", 1.0));
        assertParsed("a] b", text("a] b", 1.0));
        assertParsed("a (b [c", text("a ", 1.0), text("b ", 1.1), text("c", 1.0 * UP * DOWN));
        assertParsed("a:1.5)", text("a:1.5)", 1.0));
        assertParsed("(a:1.2", text("a:1.2", 1.1));
        assertParsed("((a)", text("a", 1.0 * UP * UP));
        assertParsed(")(", text(")", 1.0));
        assertParsed("([)]", text("", 1.0));
        assertParsed("a (b [c) d] e", text("a ", 1.0), text("b ", 1.1), text("c", 1.0 * UP * DOWN),
                text(" d", 1.0 * DOWN), text(" e", 1.0));
    }

    @Test
    void weightPythonCannotReadIsTextAndTheBracketStillCloses() {
        assertParsed("(a:1.2.3)", text("a:1.2.3", 1.1));
        assertParsed("(a:.)", text("a:.", 1.1));
        assertParsed("(a:1e3)", text("a:1e3", 1.1));
    }

    @Test
    void breakSeparatesChunks() {
        assertParsed("a BREAK b", text("a", 1.0), new Break(), text("b", 1.0));
        assertParsed("BREAK b", text("", 1.0), new Break(), text("b", 1.0));
        assertParsed("a BREAK", text("a", 1.0), new Break(), text("", 1.0));
        assertParsed("(a) BREAK\nb", text("a", 1.1), text("", 1.0), new Break(), text("b", 1.0));
        assertParsed("a BREAK BREAK b", text("a", 1.0), new Break(), text("", 1.0), new Break(), text("b", 1.0));
    }

    @Test
    void breakMustBeAWholeCapitalisedWord() {
        assertParsed("BREAKFAST break Break", text("BREAKFAST break Break", 1.0));
        assertParsed("a,BREAK,b", text("a,", 1.0), new Break(), text(",b", 1.0));
    }

    /** Inside brackets the break's marker weight is multiplied too, and A1111 then reads it as the word. */
    @Test
    void breakInsideBracketsBecomesText() {
        assertParsed("(a BREAK b)", text("a", 1.1), text("BREAK", -1.0 * UP), text("b", 1.1));
    }
}

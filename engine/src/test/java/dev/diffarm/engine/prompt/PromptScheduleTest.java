package dev.diffarm.engine.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A1111's prompt schedules: the examples of its documentation, and the rules they follow. */
class PromptScheduleTest {
    private static List<ScheduledPrompt> schedule(String prompt, int steps) {
        return PromptSchedule.parse(prompt).over(steps);
    }

    /** {@code end1, text1, end2, text2, ...} */
    private static List<ScheduledPrompt> entries(Object... endsAndTexts) {
        List<ScheduledPrompt> entries = new ArrayList<>();
        for (int i = 0; i < endsAndTexts.length; i += 2) {
            entries.add(new ScheduledPrompt((Integer) endsAndTexts[i], (String) endsAndTexts[i + 1]));
        }
        return entries;
    }

    private static void assertSchedule(String prompt, int steps, Object... expected) {
        assertEquals(entries(expected), schedule(prompt, steps), prompt);
    }

    @Test
    void plainPromptIsOneEntry() {
        assertSchedule("test", 10, 10, "test");
        assertFalse(PromptSchedule.parse("a (b:1.2) [c] BREAK d").changesByStep());
        assertSchedule("a (b:1.2) [c] BREAK d", 10, 10, "a (b:1.2) [c] BREAK d");
    }

    @Test
    void editAtAFractionOfTheSteps() {
        assertSchedule("[a:b:0.5]", 20, 10, "a", 20, "b");
        assertTrue(PromptSchedule.parse("[a:b:0.5]").changesByStep());
        assertSchedule("a [b:.5] c", 10, 5, "a  c", 10, "a b c");
        assertSchedule("[a:b:0.25]", 10, 2, "a", 10, "b");
    }

    @Test
    void editAtAStepNumber() {
        assertSchedule("a [b:3]", 10, 3, "a ", 10, "a b");
        assertSchedule("a [b: 3]", 10, 3, "a ", 10, "a b");
        assertSchedule("a [b : c : 1] d", 10, 1, "a b  d", 10, "a  c  d");
        assertSchedule("[a::4]", 10, 4, "a", 10, "");
    }

    /** Since A1111 1.6 a number with a decimal point is a fraction whatever its size; one without is a step. */
    @Test
    void decimalPointDecidesBetweenFractionAndStep() {
        assertSchedule("[a:b:1.0]", 10, 10, "a");
        assertSchedule("[a:b:1]", 10, 1, "a", 10, "b");
        assertSchedule("[a:b:25]", 10, 10, "a");
        assertSchedule("[a:b:0]", 10, 10, "b");
        assertSchedule("[a:b:-3]", 10, 10, "b");
        assertSchedule("[a:b:0.05]", 10, 10, "b");
    }

    @Test
    void editsNest() {
        assertSchedule("a[b:[c:d:2]:1]e", 10, 1, "abe", 2, "ace", 10, "ade");
        assertSchedule("a [[[b]]:2]", 10, 2, "a ", 10, "a [[b]]");
        assertSchedule("[(a:2):3]", 10, 3, "", 10, "(a:2)");
    }

    @Test
    void alternationCyclesEveryStep() {
        assertSchedule("[a|b]", 4, 1, "a", 2, "b", 3, "a", 4, "b");
        assertSchedule("[a|(b:1.1)]", 4, 1, "a", 2, "(b:1.1)", 3, "a", 4, "(b:1.1)");
        assertSchedule("[fe|]male", 4, 1, "female", 2, "male", 3, "female", 4, "male");
        assertSchedule("[fe|||]male", 6, 1, "female", 2, "male", 3, "male", 4, "male", 5, "female", 6, "male");
        assertSchedule("[a|b|c] [x:y:2]", 3, 1, "a x", 2, "b x", 3, "c y");
    }

    @Test
    void strayBracketsAreText() {
        assertSchedule("a [unbalanced", 10, 10, "a [unbalanced");
        assertSchedule("((a][:b:c [d:3]", 10, 3, "((a][:b:c ", 10, "((a][:b:c d");
        assertSchedule("a) b] :c", 10, 10, "a) b] :c");
        assertSchedule("[a:b] [c:5]", 10, 5, "[a:b] ", 10, "[a:b] c");
    }

    /** What the grammar cannot read is one unchanging text, as A1111 falls back to on a parse error. */
    @Test
    void ungrammaticalPromptIsLiteral() {
        assertSchedule("a | b [c:3]", 10, 10, "a | b [c:3]");
        assertSchedule("[a:b:3] \\", 10, 10, "[a:b:3] \\");
        assertFalse(PromptSchedule.parse("a | b [c:3]").changesByStep());
    }

    @Test
    void escapesAreKeptForTheAttentionParser() {
        assertSchedule("\\[a:b:3\\] [c:d:3]", 10, 3, "\\[a:b:3\\] c", 10, "\\[a:b:3\\] d");
    }

    @Test
    void deepNestingNeitherFailsNorRecursesWithoutBound() {
        String deep = "(".repeat(5000) + "[a:b:3]" + ")".repeat(5000);
        List<ScheduledPrompt> entries = schedule(deep, 10);
        assertEquals(10, entries.get(entries.size() - 1).endStep());
        String unclosed = "[".repeat(5000) + "a";
        assertSchedule(unclosed, 10, 10, unclosed);
    }

    @Test
    void stepsMustBePositive() {
        assertThrows(IllegalArgumentException.class, () -> schedule("a", 0));
    }
}

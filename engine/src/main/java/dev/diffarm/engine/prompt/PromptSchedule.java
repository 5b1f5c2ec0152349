package dev.diffarm.engine.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * AUTOMATIC1111's prompt editing and alternation, parsed once and evaluated for any number of steps:
 * {@code [from:to:when]} reads {@code from} up to step {@code when} and {@code to} after it,
 * {@code [to:when]} adds {@code to} after {@code when}, {@code [from::when]} removes {@code from}; and
 * {@code [a|b|c]} cycles through its options one step at a time. They nest.
 *
 * <p>{@code when} is a fraction of the steps if it is written with a decimal point ({@code 0.5},
 * {@code .25}, {@code 1.0}) and a step number otherwise ({@code 10}), as A1111 counts it since 1.6
 * (not its "old prompt editing timelines" option, which read every number below 1 as a fraction); it is
 * truncated to a whole step and capped at the number of steps.
 *
 * <p>The syntax is A1111's grammar: round and square brackets, colons and {@code |} structure the prompt,
 * a backslash escapes the next character, and everything else is text kept as written, emphasis brackets
 * included (they are read later, by {@link PromptAttention}). Outside any construct, brackets and colons
 * that close nothing are plain text. A prompt the grammar does not accept at all, such as one with
 * {@code |} outside brackets, is one unchanging text, as A1111 falls back to when its parser fails.
 */
public final class PromptSchedule {
    private final String prompt;
    private final Node root;

    private PromptSchedule(String prompt, Node root) {
        this.prompt = prompt;
        this.root = root;
    }

    /** Parses {@code prompt}; never fails (see the class comment for what is not syntax). */
    public static PromptSchedule parse(String prompt) {
        return new PromptSchedule(prompt, ScheduleParser.parse(prompt));
    }

    /** Whether the prompt has any editing or alternation, so that its text depends on the step. */
    public boolean changesByStep() {
        return root != null && root.changesByStep();
    }

    /**
     * The texts of the prompt over a run of {@code steps} steps, A1111's
     * {@code get_learned_conditioning_prompt_schedules}: one entry per step at which some construct
     * switches, the last ending at {@code steps}.
     */
    public List<ScheduledPrompt> over(int steps) {
        if (steps < 1) {
            throw new IllegalArgumentException("steps = " + steps + ": expected 1 or more");
        }
        if (root == null) {
            return List.of(new ScheduledPrompt(steps, prompt));
        }
        TreeSet<Integer> ends = new TreeSet<>();
        ends.add(steps);
        root.collectEnds(steps, ends);
        List<ScheduledPrompt> schedule = new ArrayList<>(ends.size());
        for (int end : ends) {
            StringBuilder text = new StringBuilder();
            root.write(end, steps, text);
            schedule.add(new ScheduledPrompt(end, text.toString()));
        }
        return schedule;
    }

    /** A parsed piece of the prompt. */
    sealed interface Node permits Literal, Sequence, Edit, Alternation {
        /** Appends the text at {@code step} (1-based, as A1111 evaluates its schedule) of a run of {@code steps}. */
        void write(int step, int steps, StringBuilder out);

        /** Adds the steps at which this piece switches. */
        void collectEnds(int steps, TreeSet<Integer> ends);

        boolean changesByStep();
    }

    /** Text kept as written. */
    record Literal(String text) implements Node {
        @Override
        public void write(int step, int steps, StringBuilder out) {
            out.append(text);
        }

        @Override
        public void collectEnds(int steps, TreeSet<Integer> ends) {
        }

        @Override
        public boolean changesByStep() {
            return false;
        }
    }

    record Sequence(List<Node> parts) implements Node {
        @Override
        public void write(int step, int steps, StringBuilder out) {
            parts.forEach(part -> part.write(step, steps, out));
        }

        @Override
        public void collectEnds(int steps, TreeSet<Integer> ends) {
            parts.forEach(part -> part.collectEnds(steps, ends));
        }

        @Override
        public boolean changesByStep() {
            return parts.stream().anyMatch(Node::changesByStep);
        }
    }

    /**
     * {@code [before:after:when]}; {@code before} is null in the two-part form.
     *
     * @param when the number as written, whose decimal point decides between fraction and step number
     */
    record Edit(Node before, Node after, String when) implements Node {
        int endStep(int steps) {
            double value = Double.parseDouble(when);
            double step = when.contains(".") ? value * steps : value;
            return step >= steps ? steps : (int) step;
        }

        @Override
        public void write(int step, int steps, StringBuilder out) {
            Node chosen = step <= endStep(steps) ? before : after;
            if (chosen != null) {
                chosen.write(step, steps, out);
            }
        }

        @Override
        public void collectEnds(int steps, TreeSet<Integer> ends) {
            int end = endStep(steps);
            if (end >= 1) {
                ends.add(end);
            }
            if (before != null) {
                before.collectEnds(steps, ends);
            }
            after.collectEnds(steps, ends);
        }

        @Override
        public boolean changesByStep() {
            return true;
        }
    }

    /** {@code [a|b|c]}: option {@code (step - 1) mod n} at each step. */
    record Alternation(List<Node> options) implements Node {
        @Override
        public void write(int step, int steps, StringBuilder out) {
            options.get((step - 1) % options.size()).write(step, steps, out);
        }

        @Override
        public void collectEnds(int steps, TreeSet<Integer> ends) {
            for (int step = 1; step <= steps; step++) {
                ends.add(step);
            }
            options.forEach(option -> option.collectEnds(steps, ends));
        }

        @Override
        public boolean changesByStep() {
            return true;
        }
    }
}

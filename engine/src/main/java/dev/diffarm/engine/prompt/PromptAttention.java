package dev.diffarm.engine.prompt;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * AUTOMATIC1111's emphasis syntax ({@code parse_prompt_attention}): {@code (text)} multiplies the weight of
 * its tokens by 1.1, {@code [text]} by 1/1.1, {@code (text:1.3)} by 1.3; brackets nest and multiply;
 * {@code \(}, {@code \)}, {@code \[}, {@code \]} and {@code \\} stand for the character itself, and a
 * backslash before anything else is dropped; {@code BREAK} (a whole word, in capitals) ends the chunk.
 *
 * <p>Malformed input never fails: a closing bracket without its opening one is plain text, an opening bracket
 * left open applies its multiplier to everything after it, and {@code (text:1.2)} outside any round bracket
 * is plain text, all as A1111 does. Where A1111 would fail, on a weight such as {@code (a:1.2.3)} that its
 * pattern accepts but Python cannot read as a number, the colon and the number are plain text and the
 * bracket closes with 1.1, as if the pattern had not taken them as a weight.
 *
 * <p>Weights are computed in double precision in the order A1111 multiplies them, so they are the very
 * numbers it gets ({@code ((a))} is {@code 1.2100000000000002}). Neighbouring pieces of equal weight are
 * merged; an empty prompt is one empty piece of weight 1.
 */
public final class PromptAttention {
    private static final Pattern TOKEN = Pattern.compile(
            "\\\\\\(|\\\\\\)|\\\\\\[|\\\\]|\\\\\\\\|\\\\|\\(|\\[|:([+-]?[.\\d]+)\\)|\\)|]|[^\\\\()\\[\\]:]+|:",
            Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern BREAK = Pattern.compile("\\s*\\bBREAK\\b\\s*",
            Pattern.DOTALL | Pattern.UNICODE_CHARACTER_CLASS);
    private static final String BREAK_TEXT = "BREAK";
    private static final double ROUND_MULTIPLIER = 1.1;
    private static final double SQUARE_MULTIPLIER = 1 / 1.1;

    private PromptAttention() {
    }

    /** The weighted pieces of {@code prompt}, in order. */
    public static List<Fragment> parse(String prompt) {
        List<Piece> pieces = new ArrayList<>();
        List<Integer> round = new ArrayList<>();
        List<Integer> square = new ArrayList<>();
        Matcher m = TOKEN.matcher(prompt);
        while (m.find()) {
            String text = m.group();
            String weight = m.group(1);
            if (text.startsWith("\\")) {
                pieces.add(new Piece(text.substring(1), 1.0));
            } else if (text.equals("(")) {
                round.add(pieces.size());
            } else if (text.equals("[")) {
                square.add(pieces.size());
            } else if (weight != null && !round.isEmpty()) {
                OptionalDouble number = pythonFloat(weight);
                if (number.isPresent()) {
                    multiply(pieces, pop(round), number.getAsDouble());
                } else {
                    pieces.add(new Piece(text.substring(0, text.length() - 1), 1.0));
                    multiply(pieces, pop(round), ROUND_MULTIPLIER);
                }
            } else if (text.equals(")") && !round.isEmpty()) {
                multiply(pieces, pop(round), ROUND_MULTIPLIER);
            } else if (text.equals("]") && !square.isEmpty()) {
                multiply(pieces, pop(square), SQUARE_MULTIPLIER);
            } else {
                addSplitAtBreaks(pieces, text);
            }
        }
        for (int start : round) {
            multiply(pieces, start, ROUND_MULTIPLIER);
        }
        for (int start : square) {
            multiply(pieces, start, SQUARE_MULTIPLIER);
        }
        if (pieces.isEmpty()) {
            pieces.add(new Piece("", 1.0));
        }
        return merged(pieces);
    }

    /** A1111 marks a break as the text {@code BREAK} with weight -1, which brackets around it can change. */
    private static void addSplitAtBreaks(List<Piece> pieces, String text) {
        String[] parts = BREAK.split(text, -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                pieces.add(new Piece(BREAK_TEXT, -1.0));
            }
            pieces.add(new Piece(parts[i], 1.0));
        }
    }

    private static int pop(List<Integer> stack) {
        return stack.remove(stack.size() - 1);
    }

    private static void multiply(List<Piece> pieces, int from, double multiplier) {
        for (int i = from; i < pieces.size(); i++) {
            pieces.get(i).weight *= multiplier;
        }
    }

    private static List<Fragment> merged(List<Piece> pieces) {
        List<Fragment> fragments = new ArrayList<>();
        int i = 0;
        while (i < pieces.size()) {
            StringBuilder text = new StringBuilder(pieces.get(i).text);
            double weight = pieces.get(i).weight;
            int j = i + 1;
            while (j < pieces.size() && pieces.get(j).weight == weight) {
                text.append(pieces.get(j).text);
                j++;
            }
            boolean isBreak = weight == -1.0 && text.toString().equals(BREAK_TEXT);
            fragments.add(isBreak ? new Fragment.Break() : new Fragment.Text(text.toString(), weight));
            i = j;
        }
        return fragments;
    }

    /**
     * Python's {@code float()} of what the weight pattern matched (signs, digits of any script, dots), or
     * empty where Python would raise.
     */
    private static OptionalDouble pythonFloat(String text) {
        StringBuilder ascii = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            int digit = Character.digit(c, 10);
            ascii.append(digit >= 0 ? (char) ('0' + digit) : c);
        }
        String number = ascii.toString();
        if (!number.matches("[+-]?(\\d+\\.?\\d*|\\.\\d+)")) {
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(Double.parseDouble(number));
    }

    /** A piece while brackets are still multiplying it. */
    private static final class Piece {
        final String text;
        double weight;

        Piece(String text, double weight) {
            this.text = text;
            this.weight = weight;
        }
    }
}

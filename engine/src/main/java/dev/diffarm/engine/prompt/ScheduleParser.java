package dev.diffarm.engine.prompt;

import dev.diffarm.engine.prompt.PromptSchedule.Alternation;
import dev.diffarm.engine.prompt.PromptSchedule.Edit;
import dev.diffarm.engine.prompt.PromptSchedule.Literal;
import dev.diffarm.engine.prompt.PromptSchedule.Node;
import dev.diffarm.engine.prompt.PromptSchedule.Sequence;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A recursive-descent reading of A1111's prompt-schedule grammar:
 * <pre>
 * start:       (prompt | stray brackets and colons)*
 * prompt:      (emphasized | scheduled | alternate | plain)*
 * emphasized:  "(" prompt ")" | "(" prompt ":" prompt ")" | "[" prompt "]"
 * scheduled:   "[" [prompt ":"] prompt ":" [spaces] NUMBER [spaces] "]"
 * alternate:   "[" prompt ("|" prompt)+ "]"
 * plain:       (any character but \ [ ] ( ) : |, or \ and one more character)+
 * </pre>
 * At the top level a bracket is first read as the start of a construct, and as plain text only where no
 * construct fits: A1111's parser prefers the construct in the same way.
 */
final class ScheduleParser {
    /** Lark's {@code SIGNED_NUMBER}. */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");
    /**
     * Brackets nested deeper than this are not read as constructs, which bounds the recursion (and the work
     * of re-reading a long run of unclosed brackets) for any input.
     */
    private static final int MAX_DEPTH = 100;

    private final String text;
    private int pos;
    private int depth;

    private ScheduleParser(String text) {
        this.text = text;
    }

    /** The tree of {@code text}, or null where the grammar does not accept it (such as a {@code |} out of brackets). */
    static Node parse(String text) {
        ScheduleParser parser = new ScheduleParser(text);
        List<Node> parts = new ArrayList<>();
        while (parser.pos < text.length()) {
            char c = text.charAt(parser.pos);
            Node node = null;
            if (c == '(' || c == '[') {
                int start = parser.pos;
                node = parser.construct();
                if (node == null) {
                    parser.pos = start + 1;
                    node = new Literal(String.valueOf(c));
                }
            } else if (c == ')' || c == ']' || c == ':') {
                parser.pos++;
                node = new Literal(String.valueOf(c));
            } else if (c != '|') {
                node = parser.plain();
            }
            if (node == null) {
                return null;
            }
            parts.add(node);
        }
        return new Sequence(parts);
    }

    /** {@code prompt}: constructs and text up to a delimiter; may be empty. Null if a backslash ends the text. */
    private Node prompt() {
        List<Node> parts = new ArrayList<>();
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '(' || c == '[') {
                int start = pos;
                Node node = construct();
                if (node == null) {
                    pos = start;
                    break;
                }
                parts.add(node);
            } else if (c == ')' || c == ']' || c == ':' || c == '|') {
                break;
            } else {
                Node node = plain();
                if (node == null) {
                    return null;
                }
                parts.add(node);
            }
        }
        return new Sequence(parts);
    }

    /** A run of plain text (escapes kept as written); null at a backslash with nothing after it on its line. */
    private Node plain() {
        int start = pos;
        while (pos < text.length()) {
            char c = text.charAt(pos);
            if (c == '\\') {
                if (pos + 1 >= text.length() || text.charAt(pos + 1) == '\n') {
                    return null;
                }
                pos += 2;
            } else if (c == '(' || c == ')' || c == '[' || c == ']' || c == ':' || c == '|') {
                break;
            } else {
                pos++;
            }
        }
        return new Literal(text.substring(start, pos));
    }

    /** A bracketed construct at {@code pos}, or null (then {@code pos} is undefined). */
    private Node construct() {
        if (depth == MAX_DEPTH) {
            return null;
        }
        depth++;
        try {
            char open = text.charAt(pos++);
            Node first = prompt();
            if (first == null || pos >= text.length()) {
                return null;
            }
            return open == '(' ? emphasizedRound(first) : square(first);
        } finally {
            depth--;
        }
    }

    private Node emphasizedRound(Node first) {
        char next = text.charAt(pos++);
        if (next == ')') {
            return new Sequence(List.of(new Literal("("), first, new Literal(")")));
        }
        if (next != ':') {
            return null;
        }
        Node second = prompt();
        if (second == null || !consume(')')) {
            return null;
        }
        return new Sequence(List.of(new Literal("("), first, new Literal(":"), second, new Literal(")")));
    }

    private Node square(Node first) {
        char next = text.charAt(pos++);
        switch (next) {
            case ']':
                return new Sequence(List.of(new Literal("["), first, new Literal("]")));
            case '|':
                return alternation(first);
            case ':':
                return edit(first);
            default:
                return null;
        }
    }

    private Node alternation(Node first) {
        List<Node> options = new ArrayList<>(List.of(first));
        while (true) {
            Node option = prompt();
            if (option == null || pos >= text.length()) {
                return null;
            }
            options.add(option);
            char next = text.charAt(pos++);
            if (next == ']') {
                return new Alternation(options);
            }
            if (next != '|') {
                return null;
            }
        }
    }

    /** After {@code "[" first ":"}: either {@code when "]"} (then {@code first} is what is added) or {@code after ":" when "]"}. */
    private Node edit(Node first) {
        int afterColon = pos;
        String when = whenAndClose();
        if (when != null) {
            return new Edit(null, first, when);
        }
        pos = afterColon;
        Node after = prompt();
        if (after == null || !consume(':')) {
            return null;
        }
        when = whenAndClose();
        return when == null ? null : new Edit(first, after, when);
    }

    /** {@code [spaces] NUMBER [spaces] "]"}: the number as written, or null. */
    private String whenAndClose() {
        skipSpaces();
        Matcher number = NUMBER.matcher(text).region(pos, text.length());
        if (!number.lookingAt()) {
            return null;
        }
        pos = number.end();
        skipSpaces();
        return consume(']') ? number.group() : null;
    }

    private void skipSpaces() {
        while (pos < text.length() && isSpace(text.charAt(pos))) {
            pos++;
        }
    }

    /** Python's {@code \s}. */
    private static boolean isSpace(char c) {
        return Character.isWhitespace(c) || Character.isSpaceChar(c) || c == '\u0085';
    }

    private boolean consume(char expected) {
        if (pos < text.length() && text.charAt(pos) == expected) {
            pos++;
            return true;
        }
        return false;
    }
}

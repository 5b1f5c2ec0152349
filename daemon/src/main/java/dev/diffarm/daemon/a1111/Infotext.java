package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads A1111's infotext (a PNG's {@code parameters} text) into its fields, as A1111's
 * {@code parse_generation_parameters} does: the prompt, the lines after {@code Negative prompt:}, and the
 * {@code Key: value} pairs of the last line (a quoted value unquoted as JSON), with {@code Size} also split into
 * {@code Size-1} and {@code Size-2}. Read by hand rather than with A1111's regular expression: Java's regular
 * expressions recurse per repetition, and a long quoted value would overflow the stack.
 */
final class Infotext {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String NEGATIVE = "Negative prompt:";
    /** A1111 takes the last line as the parameters only when it holds at least this many pairs. */
    private static final int MIN_PAIRS = 3;

    private Infotext() {
    }

    /** The fields of {@code text}, {@code Prompt} and {@code Negative prompt} first. */
    static Map<String, String> parse(String text) {
        List<String> lines = new ArrayList<>(List.of(text.strip().split("\n", -1)));
        Map<String, String> pairs = pairs(lines.get(lines.size() - 1));
        if (pairs.size() >= MIN_PAIRS) {
            lines.remove(lines.size() - 1);
        } else {
            pairs = Map.of();
        }
        StringBuilder prompt = new StringBuilder();
        StringBuilder negative = new StringBuilder();
        boolean inNegative = false;
        for (String line : lines) {
            String content = line.strip();
            if (content.startsWith(NEGATIVE)) {
                inNegative = true;
                content = content.substring(NEGATIVE.length()).strip();
            }
            StringBuilder target = inNegative ? negative : prompt;
            target.append(target.isEmpty() ? "" : "\n").append(content);
        }
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("Prompt", prompt.toString());
        fields.put("Negative prompt", negative.toString());
        for (Map.Entry<String, String> pair : pairs.entrySet()) {
            fields.put(pair.getKey(), pair.getValue());
            String[] size = pair.getValue().split("x", -1);
            if (pair.getKey().equals("Size") && size.length == 2 && size[0].matches("\\d+") && size[1].matches("\\d+")) {
                fields.put("Size-1", size[0]);
                fields.put("Size-2", size[1]);
            }
        }
        return fields;
    }

    /** The {@code Key: value, Key: "quoted, value"} pairs of a line; a stretch that is no pair is skipped. */
    static Map<String, String> pairs(String line) {
        Map<String, String> pairs = new LinkedHashMap<>();
        int at = 0;
        int n = line.length();
        while (at < n) {
            while (at < n && Character.isWhitespace(line.charAt(at))) {
                at++;
            }
            int colon = line.indexOf(':', at);
            int comma = line.indexOf(',', at);
            if (colon < 0 || comma >= 0 && comma < colon) {
                at = comma < 0 ? n : comma + 1;
                continue;
            }
            String key = line.substring(at, colon).strip();
            at = colon + 1;
            while (at < n && Character.isWhitespace(line.charAt(at))) {
                at++;
            }
            String value;
            if (at < n && line.charAt(at) == '"') {
                int end = closingQuote(line, at);
                value = unquote(line.substring(at, end + 1));
                at = end + 1;
                int next = line.indexOf(',', at);
                at = next < 0 ? n : next + 1;
            } else {
                int end = line.indexOf(',', at);
                value = line.substring(at, end < 0 ? n : end).strip();
                at = end < 0 ? n : end + 1;
            }
            if (isKey(key)) {
                pairs.put(key, value);
            }
        }
        return pairs;
    }

    private static int closingQuote(String line, int open) {
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '"') {
                return i;
            }
        }
        return line.length() - 1;
    }

    private static String unquote(String quoted) {
        try {
            return JSON.readValue(quoted, String.class);
        } catch (JsonProcessingException e) {
            return quoted;
        }
    }

    /** A1111's key: a word character, then word characters, spaces, hyphens or slashes. */
    private static boolean isKey(String key) {
        if (key.length() < 2 || !isWord(key.charAt(0))) {
            return false;
        }
        return key.chars().allMatch(c -> isWord((char) c) || c == ' ' || c == '-' || c == '/');
    }

    private static boolean isWord(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }
}

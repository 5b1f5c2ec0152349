package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;

/**
 * Reads the fields of one JSON object, remembering which names it asked for so that it can then report
 * every other field as unknown: a misspelt field must not pass silently.
 */
final class FieldReader {
    private final JsonNode object;
    private final String path;
    private final Problems problems;
    private final Set<String> known = new LinkedHashSet<>();
    private int reported;

    private FieldReader(JsonNode object, String path, Problems problems) {
        this.object = object;
        this.path = path;
        this.problems = error -> {
            reported++;
            problems.report(error);
        };
    }

    /** A reader of {@code node} if it is an object; otherwise reports it as {@code expected}. */
    static Optional<FieldReader> of(JsonNode node, String path, Problems problems, String expected) {
        if (!node.isObject()) {
            problems.report(ValidationError.of(ValidationError.Code.WRONG_TYPE, path, Json.show(node), expected));
            return Optional.empty();
        }
        return Optional.of(new FieldReader(node, path, problems));
    }

    /** The path of field {@code name} of this object. */
    String pathOf(String name) {
        return FieldPath.field(path, name);
    }

    /** The value of a field that must be present; empty after reporting it missing or invalid. */
    <T> Optional<T> required(String name, ValueReader<T> reader, String expected) {
        known.add(name);
        JsonNode node = object.get(name);
        if (node == null) {
            problems.report(ValidationError.missing(pathOf(name), expected));
            return Optional.empty();
        }
        return reader.read(node, pathOf(name), problems);
    }

    /** The value of a field that may be left out; empty when it is absent or, after reporting, invalid. */
    <T> Optional<T> optional(String name, ValueReader<T> reader) {
        known.add(name);
        JsonNode node = object.get(name);
        return node == null ? Optional.empty() : reader.read(node, pathOf(name), problems);
    }

    /** The value of a field, or {@code fallback} when it is absent or, after reporting, invalid. */
    <T> T orDefault(String name, T fallback, ValueReader<T> reader) {
        return optional(name, reader).orElse(fallback);
    }

    /**
     * Reports field {@code name}, if present, unless {@code allowed}: a field that means nothing without another
     * (a {@code maskBlur} without a {@code mask}) must not pass as if it did something.
     */
    void onlyWith(String name, boolean allowed, String expected) {
        JsonNode node = object.get(name);
        if (node != null && !allowed) {
            problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, pathOf(name), Json.show(node),
                    expected));
        }
    }

    /** Whether the object has field {@code name}, whatever its value. */
    boolean has(String name) {
        return object.has(name);
    }

    /** Whether nothing read through this reader, nor any unknown field, was reported. */
    boolean isValid() {
        return reported == 0;
    }

    /** Where checks of values read here report, so that {@link #isValid()} counts them. */
    Problems problems() {
        return problems;
    }

    /** Reports every field this reader was not asked for, naming the fields it knows. */
    void rejectUnknownFields() {
        for (Iterator<String> names = object.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                problems.report(ValidationError.unknownField(pathOf(name), Json.show(object.get(name)), known));
            }
        }
    }
}

package dev.diffarm.api.finetune;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A method's own options as the user gave them, by their command-line name without dashes ({@code network-dim}). Each
 * accessor reads one, with the default the method documents, and rejects a bad value naming the option.
 */
public final class MethodOptions {
    private final Map<String, String> values;

    public MethodOptions(Map<String, String> values) {
        this.values = new TreeMap<>(values);
    }

    /** No options: every method's defaults. */
    public static MethodOptions none() {
        return new MethodOptions(Map.of());
    }

    public Optional<String> text(String name) {
        return Optional.ofNullable(values.get(name)).filter(v -> !v.isBlank());
    }

    public String text(String name, String fallback) {
        return text(name).orElse(fallback);
    }

    /** A comma-separated list; empty if not given. */
    public List<String> list(String name) {
        return text(name).map(v -> Arrays.stream(v.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList())
                .orElse(List.of());
    }

    /** @throws IllegalArgumentException naming the option if it is no integer or below {@code min} */
    public int integer(String name, int fallback, int min) {
        int value;
        try {
            value = text(name).map(v -> Integer.parseInt(v.strip())).orElse(fallback);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": expected an integer, got '" + values.get(name) + "'");
        }
        if (value < min) {
            throw new IllegalArgumentException("--" + name + ": expected at least " + min + ", got " + value);
        }
        return value;
    }

    /** @throws IllegalArgumentException naming the option if it is no finite number or below {@code min} */
    public double number(String name, double fallback, double min) {
        double value;
        try {
            value = text(name).map(v -> Double.parseDouble(v.strip())).orElse(fallback);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--" + name + ": expected a number, got '" + values.get(name) + "'");
        }
        if (!Double.isFinite(value) || value < min) {
            throw new IllegalArgumentException("--" + name + ": expected a number of at least " + min + ", got " + value);
        }
        return value;
    }

    @Override
    public String toString() {
        return values.toString();
    }
}

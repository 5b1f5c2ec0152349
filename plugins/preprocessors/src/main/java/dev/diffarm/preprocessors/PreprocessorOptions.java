package dev.diffarm.preprocessors;

import java.util.Map;
import java.util.TreeMap;

/**
 * The options a user gave a preprocessor, checked against the names it takes ({@code defaults}): an unknown name or
 * a value that is no finite number is refused naming it; names not given take their defaults.
 */
final class PreprocessorOptions {
    private final String preprocessor;
    private final Map<String, Double> values;

    private PreprocessorOptions(String preprocessor, Map<String, Double> values) {
        this.preprocessor = preprocessor;
        this.values = values;
    }

    /**
     * @param preprocessor the preprocessor's name, for messages
     * @param defaults     every option it takes, with its default
     * @param given        the user's options
     * @throws IllegalArgumentException naming the option when a name is unknown or a value is no finite number
     */
    static PreprocessorOptions resolve(String preprocessor, Map<String, Double> defaults, Map<String, Double> given) {
        Map<String, Double> values = new TreeMap<>(defaults);
        for (Map.Entry<String, Double> option : new TreeMap<>(given).entrySet()) {
            String name = option.getKey();
            if (!defaults.containsKey(name)) {
                throw new IllegalArgumentException("preprocessor " + preprocessor + ": unknown option '" + name
                        + "'; expected " + (defaults.isEmpty() ? "none" : "one of " + new TreeMap<>(defaults).keySet()));
            }
            Double value = option.getValue();
            if (value == null || !Double.isFinite(value)) {
                throw new IllegalArgumentException("preprocessor " + preprocessor + ": option " + name
                        + " must be a finite number, got " + value);
            }
            values.put(name, value);
        }
        return new PreprocessorOptions(preprocessor, values);
    }

    /**
     * The value of {@code name}, which must lie in [{@code min}, {@code max}].
     *
     * @throws IllegalArgumentException naming the option, its value and the range otherwise
     */
    double number(String name, double min, double max) {
        double value = values.get(name);
        if (value < min || value > max) {
            throw new IllegalArgumentException("preprocessor " + preprocessor + ": option " + name + " must be between "
                    + format(min) + " and " + format(max) + ", got " + format(value));
        }
        return value;
    }

    /**
     * The value of {@code name} as a switch: 0 is off, 1 on.
     *
     * @throws IllegalArgumentException naming the option and its value if it is neither
     */
    boolean flag(String name) {
        double value = values.get(name);
        if (value != 0 && value != 1) {
            throw new IllegalArgumentException("preprocessor " + preprocessor + ": option " + name
                    + " must be 0 (off) or 1 (on), got " + format(value));
        }
        return value == 1;
    }

    private static String format(double value) {
        return value == Math.rint(value) && Math.abs(value) < 1e15 ? Long.toString((long) value) : Double.toString(value);
    }
}

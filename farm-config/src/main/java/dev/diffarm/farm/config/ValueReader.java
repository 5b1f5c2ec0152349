package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.JsonNode;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Reads one JSON value into a Java value, reporting a value of the wrong type or one its rule refuses.
 * Returns empty after reporting.
 */
@FunctionalInterface
interface ValueReader<T> {
    /** Digits of the largest {@code long}. */
    int LONG_DIGITS = 19;

    Optional<T> read(JsonNode node, String path, Problems problems);

    /** This reader, then {@code check} on what it read: empty if the check reports anything. */
    default ValueReader<T> and(Check<T> check) {
        return (node, path, problems) -> read(node, path, problems).filter(value -> {
            List<ValidationError> found = new ArrayList<>();
            check.check(found::add, path, value);
            found.forEach(problems::report);
            return found.isEmpty();
        });
    }

    /** A string that {@code rule} allows. */
    static ValueReader<String> text(Rule<String> rule) {
        return (node, path, problems) -> {
            if (!node.isTextual()) {
                return wrongType(node, path, problems, rule.expected());
            }
            String value = node.textValue();
            return rule.check(problems, path, value) ? Optional.of(value) : Optional.empty();
        };
    }

    /**
     * A whole number that {@code rule} allows. As in JSON Schema, {@code 20.0} is the integer 20; a number
     * too large for a {@code long} is out of every rule's range.
     */
    static ValueReader<Long> integer(Rule<Long> rule) {
        return (node, path, problems) -> {
            if (!node.isNumber() || !node.canConvertToExactIntegral()) {
                return wrongType(node, path, problems, rule.expected());
            }
            // 1e99999 is exact and integral; made a BigInteger it has 100,000 digits. Beyond a long, refuse it unmade.
            if (node.isBigDecimal() && node.decimalValue().precision() - node.decimalValue().scale() > LONG_DIGITS) {
                problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, path, Json.show(node),
                        rule.expected()));
                return Optional.empty();
            }
            BigInteger value = node.bigIntegerValue();
            if (value.bitLength() >= Long.SIZE) {
                problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, path, Json.show(node),
                        rule.expected()));
                return Optional.empty();
            }
            return rule.check(problems, path, value.longValue(), Json.show(node)) ? Optional.of(value.longValue())
                    : Optional.empty();
        };
    }

    /** A number that {@code rule} allows. */
    static ValueReader<Double> number(Rule<Double> rule) {
        return (node, path, problems) -> {
            if (!node.isNumber()) {
                return wrongType(node, path, problems, rule.expected());
            }
            double value = node.doubleValue();
            return rule.check(problems, path, value, Json.show(node)) ? Optional.of(value) : Optional.empty();
        };
    }

    /** {@code true} or {@code false}. */
    static ValueReader<Boolean> bool() {
        return (node, path, problems) -> node.isBoolean() ? Optional.of(node.booleanValue())
                : wrongType(node, path, problems, "true or false");
    }

    /**
     * An array of at most {@code maxItems} elements, each of which {@code element} reads at its own path
     * ({@code seeds[3]}). A longer one is one problem, its elements unread.
     */
    static <T> ValueReader<List<T>> list(ValueReader<T> element, String expected, int maxItems) {
        return (node, path, problems) -> {
            if (!node.isArray()) {
                return wrongType(node, path, problems, expected);
            }
            if (node.size() > maxItems) {
                problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, path, Json.show(node),
                        "at most " + maxItems + " items (it has " + node.size() + ")"));
                return Optional.empty();
            }
            List<T> items = new ArrayList<>();
            boolean complete = true;
            for (int i = 0; i < node.size(); i++) {
                Optional<T> item = element.read(node.get(i), FieldPath.index(path, i), problems);
                item.ifPresent(items::add);
                complete &= item.isPresent();
            }
            return complete ? Optional.of(List.copyOf(items)) : Optional.empty();
        };
    }

    private static <T> Optional<T> wrongType(JsonNode node, String path, Problems problems, String expected) {
        problems.report(ValidationError.of(ValidationError.Code.WRONG_TYPE, path, Json.show(node), expected));
        return Optional.empty();
    }
}

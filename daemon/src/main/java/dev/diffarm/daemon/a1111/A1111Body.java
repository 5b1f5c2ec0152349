package dev.diffarm.daemon.a1111;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.diffarm.farm.config.Limits;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The JSON object of an A1111 request, read with the same bounds as a job (nesting, number length, repeated names)
 * and typed field by field. A1111's fields are all optional: {@code null} is the same as leaving the field out. Every
 * problem is collected, naming the field, rather than stopping at the first.
 */
final class A1111Body {
    /** Bounds as the job contract's: a deep or long-numbered body is refused while it is read, before any work. */
    private static final ObjectMapper READER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(Limits.MAX_NESTING_DEPTH)
                            .maxNumberLength(Limits.MAX_NUMBER_LENGTH)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .build();
    /** Values longer than this are cut in messages. */
    private static final int SHOWN = 80;

    private final ObjectNode object;
    private final List<A1111Problem> problems = new ArrayList<>();

    private A1111Body(ObjectNode object) {
        this.object = object;
    }

    /** What reading a body gave: the object, or why there is none. */
    sealed interface Read {
        record Object(A1111Body body) implements Read {
        }

        record Refused(A1111Problem problem) implements Read {
        }
    }

    /** Reads {@code bytes} as one JSON object; an empty body is an empty object, as A1111 takes it. */
    static Read read(byte[] bytes) {
        if (bytes.length == 0) {
            return new Read.Object(new A1111Body(READER.createObjectNode()));
        }
        JsonNode node;
        try (JsonParser parser = READER.createParser(bytes)) {
            node = READER.readTree(parser);
            if (node != null && parser.nextToken() != null) {
                throw new JsonParseException(parser, "more text after the end of the JSON value");
            }
        } catch (IOException e) {
            String reason = e instanceof JsonParseException parse ? parse.getOriginalMessage() : e.getMessage();
            return new Read.Refused(new A1111Problem(A1111Problem.NOT_JSON, Optional.empty(),
                    "the body is not valid JSON: " + cut(String.valueOf(reason))));
        }
        if (node == null || !node.isObject()) {
            return new Read.Refused(new A1111Problem(A1111Problem.NOT_AN_OBJECT, Optional.empty(),
                    "the body is " + (node == null ? "empty" : typeOf(node)) + ": expected a JSON object"));
        }
        return new Read.Object(new A1111Body((ObjectNode) node));
    }

    /** The object as sent, for the answer's {@code parameters}. */
    ObjectNode json() {
        return object;
    }

    List<String> fieldNames() {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** The field's value; empty when it is missing or {@code null}. */
    Optional<JsonNode> value(String field) {
        JsonNode node = object.get(field);
        return node == null || node.isNull() ? Optional.empty() : Optional.of(node);
    }

    List<A1111Problem> problems() {
        return List.copyOf(problems);
    }

    void problem(A1111Problem problem) {
        problems.add(problem);
    }

    void invalid(String field, JsonNode value, String expected) {
        problems.add(A1111Problem.of(A1111Problem.INVALID_VALUE, field, field + " = " + show(value) + ": expected "
                + expected));
    }

    private void wrongType(String field, JsonNode value, String expected) {
        problems.add(A1111Problem.of(A1111Problem.WRONG_TYPE, field, field + " is " + typeOf(value) + ": expected "
                + expected));
    }

    Optional<String> string(String field) {
        Optional<JsonNode> value = value(field);
        if (value.isPresent() && !value.get().isTextual()) {
            wrongType(field, value.get(), "a string");
            return Optional.empty();
        }
        return value.map(JsonNode::textValue);
    }

    Optional<Boolean> bool(String field) {
        Optional<JsonNode> value = value(field);
        if (value.isPresent() && !value.get().isBoolean()) {
            wrongType(field, value.get(), "true or false");
            return Optional.empty();
        }
        return value.map(JsonNode::booleanValue);
    }

    /** A whole number in {@code min..max}; a decimal with no fraction ({@code 20.0}) counts, as pydantic lets it. */
    OptionalLong integer(String field, long min, long max) {
        Optional<JsonNode> value = value(field);
        if (value.isEmpty()) {
            return OptionalLong.empty();
        }
        JsonNode node = value.get();
        String range = "an integer in " + min + ".." + max;
        if (!node.isNumber()) {
            wrongType(field, node, range);
            return OptionalLong.empty();
        }
        BigDecimal number = node.decimalValue();
        if (number.signum() != 0 && number.stripTrailingZeros().scale() > 0
                || number.compareTo(BigDecimal.valueOf(min)) < 0 || number.compareTo(BigDecimal.valueOf(max)) > 0) {
            invalid(field, node, range);
            return OptionalLong.empty();
        }
        return OptionalLong.of(number.longValueExact());
    }

    /** A finite number in {@code min..max}. */
    OptionalDouble number(String field, double min, double max) {
        Optional<JsonNode> value = value(field);
        if (value.isEmpty()) {
            return OptionalDouble.empty();
        }
        JsonNode node = value.get();
        String range = "a number in " + min + ".." + max;
        if (!node.isNumber()) {
            wrongType(field, node, range);
            return OptionalDouble.empty();
        }
        BigDecimal number = node.decimalValue();
        if (number.compareTo(BigDecimal.valueOf(min)) < 0 || number.compareTo(BigDecimal.valueOf(max)) > 0) {
            invalid(field, node, range);
            return OptionalDouble.empty();
        }
        return OptionalDouble.of(number.doubleValue());
    }

    /** An object field; empty (and a problem) when it is something else. */
    Optional<ObjectNode> object(String field) {
        Optional<JsonNode> value = value(field);
        if (value.isPresent() && !value.get().isObject()) {
            wrongType(field, value.get(), "an object");
            return Optional.empty();
        }
        return value.map(ObjectNode.class::cast);
    }

    static String show(JsonNode value) {
        return cut(value.toString());
    }

    private static String cut(String text) {
        return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "...";
    }

    /** The JSON type of {@code node} for a message: {@code an array}, {@code an object}, {@code a string value}... */
    static String typeOf(JsonNode node) {
        if (node.isContainerNode()) {
            return node.isArray() ? "an array" : "an object";
        }
        return node.isNull() ? "null" : "a " + node.getNodeType().name().toLowerCase(Locale.ROOT) + " value";
    }
}

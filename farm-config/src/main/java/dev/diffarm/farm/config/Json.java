package dev.diffarm.farm.config;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/** The module's JSON reading and writing, configured once. */
final class Json {
    /** Values longer than this are shortened in messages: a 10,000-character prompt is no help there. */
    private static final int SHOWN_LENGTH = 80;

    /**
     * Refuses repeated field names (the later one would silently win), and nesting or numbers beyond
     * {@link Limits}. Keeps decimals exact, so that a message shows {@code 1e400} as written rather than as an
     * overflowed double.
     */
    private static final ObjectMapper READER = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder()
                            .maxNestingDepth(Limits.MAX_NESTING_DEPTH)
                            .maxNumberLength(Limits.MAX_NUMBER_LENGTH)
                            .build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
            .disable(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES)
            .build();

    /** Writes object fields sorted by name, so the text depends on the values alone. */
    private static final ObjectMapper CANONICAL = JsonMapper.builder()
            .enable(JsonNodeFeature.WRITE_PROPERTIES_SORTED)
            .build();

    private Json() {
    }

    /** The one JSON value of {@code text}; a missing node when there is none. */
    static JsonNode read(String text) throws IOException {
        try (JsonParser parser = READER.createParser(text)) {
            return readOne(parser);
        }
    }

    /** The one JSON value of {@code bytes} (UTF-8, -16 or -32); a missing node when there is none. */
    static JsonNode read(byte[] bytes) throws IOException {
        try (JsonParser parser = READER.createParser(bytes)) {
            return readOne(parser);
        }
    }

    private static JsonNode readOne(JsonParser parser) throws IOException {
        JsonNode node = READER.readTree(parser);
        if (node == null) {
            return MissingNode.getInstance();
        }
        if (parser.nextToken() != null) {
            throw new JsonParseException(parser, "more text after the end of the JSON value");
        }
        return node;
    }

    static ObjectNode object() {
        return JsonNodeFactory.instance.objectNode();
    }

    /** Compact JSON text. */
    static String write(JsonNode node) {
        try {
            return READER.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("a JSON tree could not be written", e);
        }
    }

    /** Compact JSON text with every object's fields sorted by name, recursively. */
    static String canonical(JsonNode node) {
        try {
            return CANONICAL.writeValueAsString(node);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("a JSON tree could not be written", e);
        }
    }

    /** A value as JSON text for a message, shortened when long. */
    static String show(JsonNode node) {
        String text = write(node);
        return text.length() <= SHOWN_LENGTH ? text : text.substring(0, SHOWN_LENGTH) + "...";
    }

    /** The JSON type of {@code node} with its article: {@code an array}, {@code a string}, {@code null}. */
    static String typeOf(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING, BINARY -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
        };
    }

    /** A Java value (string, number, list, record) as JSON text for a message, shortened when long. */
    static String show(Object value) {
        return show(READER.<JsonNode>valueToTree(value));
    }
}

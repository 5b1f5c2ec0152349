package dev.diffarm.daemon.kafka;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.util.Optional;

/**
 * The top-level {@code model} of a job's JSON, read with a streaming parser that stops at it: a hint for model affinity
 * taken before the job is parsed and validated (which the intake does, with precise errors, after a worker took it).
 */
final class JobModel {
    private static final JsonFactory JSON = new JsonFactory();

    private JobModel() {
    }

    /** The value of the top-level string field {@code model}; empty for anything else. */
    static Optional<String> of(byte[] payload) {
        try (JsonParser parser = JSON.createParser(payload)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return Optional.empty();
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("model")) {
                    return value == JsonToken.VALUE_STRING ? Optional.of(parser.getText()) : Optional.empty();
                }
                parser.skipChildren();
            }
            return Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}

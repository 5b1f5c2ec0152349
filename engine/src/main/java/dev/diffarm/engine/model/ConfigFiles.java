package dev.diffarm.engine.model;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reading of diffusers/transformers {@code config.json} files, with errors that name the file and field. */
public final class ConfigFiles {
    private static final ObjectMapper JSON = new ObjectMapper();

    private ConfigFiles() {
    }

    /** The JSON object in {@code file}; a missing file, invalid JSON or another value is refused naming the file. */
    public static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new ModelLoadException("config file " + file + " does not exist");
        }
        try {
            JsonNode node = JSON.readTree(file.toFile());
            if (node == null || !node.isObject()) {
                throw new ModelLoadException(file + ": expected a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new ModelLoadException(file + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    static List<Integer> intList(JsonNode config, String field, Path file) {
        JsonNode node = config.get(field);
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new ModelLoadException(file + ": field '" + field + "' must be a non-empty array of integers, got " + node);
        }
        return intList(node, file, field);
    }

    static List<Integer> intList(JsonNode node, Path file, String field) {
        List<Integer> out = new ArrayList<>();
        for (JsonNode v : node) {
            if (!v.canConvertToInt() || v.asInt() <= 0) {
                throw new ModelLoadException(file + ": field '" + field + "' has " + v + ", expected positive integers");
            }
            out.add(v.asInt());
        }
        return List.copyOf(out);
    }

    static List<String> stringList(JsonNode config, String field, Path file) {
        JsonNode node = config.get(field);
        if (node == null || !node.isArray() || node.isEmpty()) {
            throw new ModelLoadException(file + ": field '" + field + "' must be a non-empty array of strings, got " + node);
        }
        List<String> out = new ArrayList<>();
        node.forEach(v -> out.add(v.asText()));
        return List.copyOf(out);
    }
}

package dev.diffarm.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Iterator;
import java.util.Map;

/**
 * The part of Kubernetes' strategic merge patch that these manifests use: mappings merge field by field, a list
 * whose entries all have a {@code name} (containers, env, volumes, ports) merges entry by entry on it, and any
 * other list or value replaces the original. Directives ({@code $patch}, {@code $setElementOrder}) are refused, as
 * they would be silently misread.
 */
final class StrategicMerge {
    private StrategicMerge() {
    }

    /** {@code target} with {@code patch} merged into it (changed in place and returned). */
    static ObjectNode apply(ObjectNode target, ObjectNode patch, String where) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = patch.fields(); fields.hasNext(); ) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            if (name.startsWith("$")) {
                throw new IllegalArgumentException(where + ": patch directive " + name + " is not supported here");
            }
            JsonNode value = field.getValue();
            JsonNode original = target.get(name);
            if (value.isObject() && original instanceof ObjectNode originalObject) {
                apply(originalObject, (ObjectNode) value, where + "." + name);
            } else if (value.isArray() && original instanceof ArrayNode originalList
                    && namedEntries(originalList) && namedEntries((ArrayNode) value)) {
                mergeByName(originalList, (ArrayNode) value, where + "." + name);
            } else {
                target.set(name, value.deepCopy());
            }
        }
        return target;
    }

    private static void mergeByName(ArrayNode original, ArrayNode patch, String where) {
        for (JsonNode entry : patch) {
            String name = entry.get("name").asText();
            ObjectNode match = null;
            for (JsonNode candidate : original) {
                if (candidate.get("name").asText().equals(name)) {
                    match = (ObjectNode) candidate;
                }
            }
            if (match == null) {
                original.add(entry.deepCopy());
            } else {
                apply(match, (ObjectNode) entry, where + "[" + name + "]");
            }
        }
    }

    private static boolean namedEntries(ArrayNode list) {
        for (JsonNode entry : list) {
            if (!entry.isObject() || !entry.path("name").isTextual()) {
                return false;
            }
        }
        return !list.isEmpty();
    }
}

package dev.diffarm.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.BooleanNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Custom resources without a Java model, checked against their CRD's {@code openAPIV3Schema} (vendored under
 * {@code src/test/resources/crds}, source and licence named in each file) with a JSON Schema validator. OpenAPI v3
 * schemas are a draft-4 dialect; the API server additionally rejects (strict field validation) or drops fields a
 * structural schema does not declare, so every object schema that lists its properties here refuses others unless
 * it says {@code x-kubernetes-preserve-unknown-fields}.
 */
final class CrdSchema {
    private static final Map<String, String> SCHEMAS = Map.of(
            "keda.sh/v1alpha1/ScaledObject", "crds/keda.sh_scaledobjects.v1alpha1.yaml");
    private static final Map<String, JsonSchema> LOADED = new ConcurrentHashMap<>();

    private CrdSchema() {
    }

    /** The problems of {@code resource}, or empty when no vendored CRD covers its API version and kind. */
    static Optional<List<String>> problems(Resource resource) {
        String file = SCHEMAS.get(resource.apiVersion() + "/" + resource.kind());
        if (file == null) {
            return Optional.empty();
        }
        JsonSchema schema = LOADED.computeIfAbsent(file, CrdSchema::load);
        return Optional.of(schema.validate(resource.body()).stream().map(ValidationMessage::getMessage).toList());
    }

    private static JsonSchema load(String file) {
        try (InputStream in = CrdSchema.class.getClassLoader().getResourceAsStream(file)) {
            if (in == null) {
                throw new IllegalStateException("no CRD schema " + file + " on the test class path");
            }
            JsonNode schema = ManifestFiles.YAML.readTree(in);
            closeObjects(schema);
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(schema);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Adds {@code additionalProperties: false} to every object schema that declares its properties. */
    private static void closeObjects(JsonNode schema) {
        if (schema instanceof ObjectNode object && object.has("properties") && !object.has("additionalProperties")
                && !object.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
            object.set("additionalProperties", BooleanNode.FALSE);
        }
        schema.elements().forEachRemaining(CrdSchema::closeObjects);
    }
}

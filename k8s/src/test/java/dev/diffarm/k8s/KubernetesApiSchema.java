package dev.diffarm.k8s;

import com.google.gson.JsonElement;
import com.google.gson.JsonParser;
import io.kubernetes.client.openapi.models.V1ConfigMap;
import io.kubernetes.client.openapi.models.V1Deployment;
import io.kubernetes.client.openapi.models.V1Namespace;
import io.kubernetes.client.openapi.models.V1PodDisruptionBudget;
import io.kubernetes.client.openapi.models.V1Secret;
import io.kubernetes.client.openapi.models.V1Service;
import io.kubernetes.client.openapi.models.V1ServiceAccount;
import io.kubernetes.client.openapi.models.V1StatefulSet;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Built-in Kubernetes resources checked against the Kubernetes API's OpenAPI schema, as generated into the official
 * Java client's models ({@code io.kubernetes:client-java-api} 25, Kubernetes 1.34): each model's
 * {@code validateJsonElement} refuses a field the API does not define, a missing required field and a value of the
 * wrong JSON type, all the way down.
 */
final class KubernetesApiSchema {
    /** Kubernetes' version of the API these models are generated from. */
    static final String KUBERNETES_VERSION = "1.34";

    @FunctionalInterface
    private interface Check {
        void validate(JsonElement json) throws IOException;
    }

    private static final Map<String, Check> CHECKS = Map.of(
            "v1/Namespace", V1Namespace::validateJsonElement,
            "v1/Secret", V1Secret::validateJsonElement,
            "v1/ConfigMap", V1ConfigMap::validateJsonElement,
            "v1/Service", V1Service::validateJsonElement,
            "v1/ServiceAccount", V1ServiceAccount::validateJsonElement,
            "apps/v1/StatefulSet", V1StatefulSet::validateJsonElement,
            "apps/v1/Deployment", V1Deployment::validateJsonElement,
            "policy/v1/PodDisruptionBudget", V1PodDisruptionBudget::validateJsonElement);

    private KubernetesApiSchema() {
    }

    /** The generated models end their messages with the whole offending object: the first words say it all. */
    private static String withoutEcho(String message) {
        int echo = message.indexOf(" JSON: ");
        if (echo < 0) {
            echo = message.indexOf(" in the JSON string: ");
        }
        return echo < 0 ? message : message.substring(0, echo);
    }

    /** The problems of {@code resource}, or empty when this schema does not cover its API version and kind. */
    static Optional<List<String>> problems(Resource resource) {
        Check check = CHECKS.get(resource.apiVersion() + "/" + resource.kind());
        if (check == null) {
            return Optional.empty();
        }
        try {
            check.validate(JsonParser.parseString(resource.body().toString()));
            return Optional.of(List.of());
        } catch (IllegalArgumentException | IllegalStateException | IOException invalid) {
            return Optional.of(List.of(withoutEcho(invalid.getMessage())));
        }
    }
}

package dev.diffarm.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * What one resource names in another exists in the same rendering: selectors select the pods they are meant for,
 * Secrets and keys that pods read are defined, the ScaledObject's target exists. Schemas cannot see these.
 */
class ReferencesTest {
    @ParameterizedTest
    @MethodSource("dev.diffarm.k8s.ManifestsTest#kustomizations")
    void everyReferenceResolves(String kustomization) {
        List<String> problems = problems(Kustomization.render(ManifestFiles.root().resolve(kustomization)));
        System.out.printf("%s: references checked, %d problems%n", kustomization, problems.size());
        assertEquals(List.of(), problems);
    }

    @Test
    void aSecretThatIsNotDefinedAndASelectorThatMissesArePointedOut() {
        List<Resource> resources = Kustomization.render(ManifestFiles.root().resolve("overlays/gpu"));
        ObjectNode daemon = ManifestsTest.find(resources, "StatefulSet", "diffarm-daemon").body();
        ((ObjectNode) daemon.findValue("secretKeyRef")).put("name", "diffarm-s4");
        ObjectNode monitor = ManifestsTest.find(resources, "ServiceMonitor", "diffarm-daemon").body();
        ((ObjectNode) monitor.at("/spec/selector/matchLabels")).put("app.kubernetes.io/name", "diffarm");
        List<String> problems = problems(resources);
        System.out.println(problems);
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.get(0).contains("Secret diffarm-s4 is not defined"), problems.get(0));
        assertTrue(problems.get(1).contains("selects no pods"), problems.get(1));
    }

    private static List<String> problems(List<Resource> resources) {
        List<String> problems = new ArrayList<>();
        for (Resource resource : resources) {
            JsonNode spec = resource.body().path("spec");
            switch (resource.kind()) {
                case "StatefulSet", "Deployment" -> {
                    JsonNode labels = spec.path("template").path("metadata").path("labels");
                    if (!selects(spec.path("selector").path("matchLabels"), labels)) {
                        problems.add(resource + ": selector does not select its own pods");
                    }
                    spec.path("template").path("spec").findValues("secretKeyRef").forEach(ref ->
                            checkSecretKey(resources, ref.path("name").asText(), ref.path("key").asText(), resource,
                                    problems));
                    spec.path("template").path("spec").path("volumes").forEach(volume -> {
                        if (volume.has("secret")) {
                            secret(resources, volume.path("secret").path("secretName").asText(), resource, problems);
                        }
                    });
                }
                case "Service", "PodDisruptionBudget", "ServiceMonitor" -> {
                    spec.findValues("credentials").forEach(ref -> checkSecretKey(resources, ref.path("name").asText(),
                            ref.path("key").asText(), resource, problems));
                    JsonNode selector = resource.kind().equals("Service") ? spec.path("selector")
                            : spec.path("selector").path("matchLabels");
                    if (podTemplates(resources).stream().noneMatch(labels -> selects(selector, labels))) {
                        problems.add(resource + ": selector " + selector + " selects no pods");
                    }
                }
                case "ScaledObject" -> {
                    JsonNode target = spec.path("scaleTargetRef");
                    if (resources.stream().noneMatch(r -> r.kind().equals(target.path("kind").asText())
                            && r.name().equals(target.path("name").asText()))) {
                        problems.add(resource + ": scale target " + target + " does not exist");
                    }
                }
                default -> {
                }
            }
        }
        return problems;
    }

    private static List<JsonNode> podTemplates(List<Resource> resources) {
        return resources.stream().filter(r -> r.kind().equals("StatefulSet") || r.kind().equals("Deployment"))
                .map(r -> r.body().path("spec").path("template").path("metadata").path("labels")).toList();
    }

    private static boolean selects(JsonNode selector, JsonNode labels) {
        if (!selector.isObject() || selector.isEmpty()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> wanted : selector.properties()) {
            if (!wanted.getValue().equals(labels.path(wanted.getKey()))) {
                return false;
            }
        }
        return true;
    }

    private static void checkSecretKey(List<Resource> resources, String name, String key, Resource user,
                                       List<String> problems) {
        JsonNode secret = secret(resources, name, user, problems);
        if (secret != null && !secret.path("stringData").has(key) && !secret.path("data").has(key)) {
            problems.add(user + ": Secret " + name + " has no key " + key);
        }
    }

    private static JsonNode secret(List<Resource> resources, String name, Resource user, List<String> problems) {
        return resources.stream().filter(r -> r.kind().equals("Secret") && r.name().equals(name)).findFirst()
                .map(Resource::body).orElseGet(() -> {
                    problems.add(user + ": Secret " + name + " is not defined");
                    return null;
                });
    }
}

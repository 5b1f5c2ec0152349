package dev.diffarm.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.diffarm.farm.config.FarmSettings;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The manifests in k8s/ parse, every kustomization renders, and every rendered resource validates. */
class ManifestsTest {
    private static final Path ROOT = ManifestFiles.root();
    /** The daemon's own settings, besides FarmSettings': where it listens, and its API keys. */
    private static final Set<String> DAEMON_VARIABLES = Set.of("DIFFARM_HTTP_HOST", "DIFFARM_API_KEYS_FILE");

    static Stream<String> kustomizations() {
        return Stream.of("base", "overlays/gpu", "overlays/cpu");
    }

    @Test
    void everyYamlFileParsesAndBelongsToAKustomization() {
        List<Path> files = ManifestFiles.yamlFiles(ROOT);
        Set<Path> used = new HashSet<>();
        for (Path file : files) {
            List<Resource> documents = ManifestFiles.read(file);
            assertFalse(documents.isEmpty(), file + " holds no document");
            if (file.getFileName().toString().equals("kustomization.yaml")) {
                used.add(file);
                for (Resource kustomization : documents) {
                    for (String field : List.of("resources", "patches")) {
                        for (JsonNode entry : kustomization.body().path(field)) {
                            String path = entry.isTextual() ? entry.asText() : entry.path("path").asText();
                            used.add(file.getParent().resolve(path).normalize());
                        }
                    }
                }
            }
        }
        List<Path> unused = files.stream().filter(file -> !used.contains(file)).toList();
        System.out.printf("%d YAML files parse under %s%n", files.size(), ROOT);
        assertTrue(unused.isEmpty(), "YAML files no kustomization uses (a manifest nothing applies): " + unused);
        assertTrue(files.size() >= 15, "expected the base and both overlays, found " + files);
    }

    @ParameterizedTest
    @MethodSource("kustomizations")
    void everyRenderedResourceValidatesAgainstItsSchema(String kustomization) {
        List<Resource> resources = Kustomization.render(ROOT.resolve(kustomization));
        List<String> problems = new ArrayList<>();
        for (Resource resource : resources) {
            ManifestSchemas.problems(resource).forEach(problem -> problems.add(resource + ": " + problem));
        }
        System.out.printf("%s: %d resources rendered, %d problems: %s%n", kustomization, resources.size(),
                problems.size(), resources.stream().map(r -> r.kind() + "/" + r.name()).toList());
        assertEquals(List.of(), problems);
    }

    @Test
    void theGpuOverlayPutsOneDaemonPerGpuOnTheGpuPoolAndScalesOnTheGroupsLag() {
        List<Resource> resources = Kustomization.render(ROOT.resolve("overlays/gpu"));
        JsonNode pod = find(resources, "StatefulSet", "diffarm-daemon").body().path("spec").path("template")
                .path("spec");
        JsonNode daemon = pod.path("containers").get(0);
        assertEquals("1", daemon.path("resources").path("limits").path("nvidia.com/gpu").asText());
        assertEquals("gpu", pod.path("nodeSelector").path("diffarm.dev/pool").asText());
        assertEquals("nvidia.com/gpu", pod.path("tolerations").get(0).path("key").asText());
        // The patch merged into the base container: its environment and probes are still there.
        assertEquals("0.0.0.0", env(daemon, "DIFFARM_HTTP_HOST"));
        assertEquals("/q/health/ready", daemon.path("readinessProbe").path("httpGet").path("path").asText());

        JsonNode trigger = find(resources, "ScaledObject", "diffarm-daemon").body().path("spec").path("triggers")
                .get(0);
        assertEquals("kafka", trigger.path("type").asText());
        assertEquals("diffarm", trigger.path("metadata").path("consumerGroup").asText());
        assertEquals("diffarm.jobs", trigger.path("metadata").path("topic").asText());
        int partitions = find(resources, "KafkaTopic", "diffarm.jobs").body().path("spec").path("partitions").asInt();
        int maxReplicas = find(resources, "ScaledObject", "diffarm-daemon").body().path("spec")
                .path("maxReplicaCount").asInt();
        assertEquals(partitions, maxReplicas, "a daemon beyond the partitions of diffarm.jobs would sit idle");
    }

    @Test
    void theCpuOverlayIsOneNodeWithoutGpuOrAutoscaling() {
        List<Resource> resources = Kustomization.render(ROOT.resolve("overlays/cpu"));
        assertEquals(1, find(resources, "KafkaNodePool", "dual-role").body().path("spec").path("replicas").asInt());
        for (String topic : List.of("diffarm.jobs", "diffarm.events", "diffarm.jobs.dlq", "diffarm.chunks")) {
            assertEquals(1, find(resources, "KafkaTopic", topic).body().path("spec").path("replicas").asInt(), topic);
        }
        JsonNode daemon = find(resources, "StatefulSet", "diffarm-daemon").body().path("spec").path("template")
                .path("spec").path("containers").get(0);
        assertTrue(daemon.path("resources").path("limits").path("nvidia.com/gpu").isMissingNode());
        assertTrue(resources.stream().noneMatch(resource -> resource.kind().equals("ScaledObject")));
        assertEquals("diffarm", find(resources, "Kafka", "diffarm-kafka").body().path("metadata")
                .path("namespace").asText());
    }

    @Test
    void theManifestsUseTheFarmsTopicsAndVariables() throws IllegalAccessException {
        List<Resource> resources = Kustomization.render(ROOT.resolve("base"));
        FarmSettings.Topics topics = FarmSettings.Topics.DEFAULT;
        for (String topic : List.of(topics.jobs(), topics.events(), topics.deadLetters(), topics.chunks())) {
            find(resources, "KafkaTopic", topic);
        }
        Set<String> known = new HashSet<>(DAEMON_VARIABLES);
        for (Field field : FarmSettings.class.getFields()) {
            if (Modifier.isStatic(field.getModifiers()) && field.get(null) instanceof String value
                    && value.startsWith("DIFFARM_")) {
                known.add(value);
            }
        }
        JsonNode daemon = find(resources, "StatefulSet", "diffarm-daemon").body().path("spec").path("template")
                .path("spec").path("containers").get(0);
        for (JsonNode variable : daemon.path("env")) {
            String name = variable.path("name").asText();
            assertTrue(!name.startsWith("DIFFARM_") || known.contains(name), name + " is no setting of the farm");
        }
    }

    @Test
    void theDlqKeepsRecordsLongerThanTheJobsTopic() {
        List<Resource> resources = Kustomization.render(ROOT.resolve("base"));
        long jobs = retention(find(resources, "KafkaTopic", "diffarm.jobs"));
        long events = retention(find(resources, "KafkaTopic", "diffarm.events"));
        long deadLetters = retention(find(resources, "KafkaTopic", "diffarm.jobs.dlq"));
        System.out.printf("retention: jobs %d h, events %d h, dlq %d h%n", jobs / 3_600_000, events / 3_600_000,
                deadLetters / 3_600_000);
        assertTrue(deadLetters > jobs && jobs > events);
    }

    @Test
    void theChunksOfAJobWaitAsLongAsJobsAndSpreadOverAsManyPartitions() {
        List<Resource> resources = Kustomization.render(ROOT.resolve("base"));
        Resource jobs = find(resources, "KafkaTopic", "diffarm.jobs");
        Resource chunks = find(resources, "KafkaTopic", "diffarm.chunks");
        assertTrue(retention(chunks) >= retention(jobs), "a chunk outlives the job it was split from");
        assertEquals(jobs.body().path("spec").path("partitions").asInt(),
                chunks.body().path("spec").path("partitions").asInt(), "every daemon KEDA starts takes chunks");
    }

    private static long retention(Resource topic) {
        return topic.body().path("spec").path("config").path("retention.ms").asLong();
    }

    private static String env(JsonNode container, String name) {
        for (JsonNode variable : container.path("env")) {
            if (variable.path("name").asText().equals(name)) {
                return variable.path("value").asText();
            }
        }
        throw new AssertionError("no " + name + " in " + container.path("env"));
    }

    static Resource find(List<Resource> resources, String kind, String name) {
        return resources.stream().filter(r -> r.kind().equals(kind) && r.name().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in " + resources));
    }
}

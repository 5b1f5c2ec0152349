package dev.diffarm.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The schemas catch what a broken manifest gets wrong: each case takes a valid resource of the gpu overlay, breaks
 * one thing, and expects a problem that names the field. Every schema library is covered: Kubernetes' own API
 * (StatefulSet), Strimzi's model (Kafka, KafkaNodePool, KafkaTopic), the Prometheus Operator's (ServiceMonitor)
 * and KEDA's CRD (ScaledObject).
 */
class BrokenManifestsTest {
    private static final List<Resource> VALID = Kustomization.render(ManifestFiles.root().resolve("overlays/gpu"));

    @ParameterizedTest(name = "{0} {1}: {2}")
    @CsvSource(delimiter = '|', textBlock = """
            StatefulSet     | diffarm-daemon | unknown field        | replica
            StatefulSet     | diffarm-daemon | wrong type           | containers
            StatefulSet     | diffarm-daemon | missing required     | name
            Kafka           | diffarm-kafka  | unknown field        | listner
            Kafka           | diffarm-kafka  | wrong type           | port
            Kafka           | diffarm-kafka  | missing required     | listeners
            KafkaNodePool   | dual-role      | unknown polymorphic  | persistent-volume
            KafkaTopic      | diffarm.jobs   | wrong type           | partitions
            ServiceMonitor  | diffarm-daemon | unknown field        | scrapeInterval
            ServiceMonitor  | diffarm-daemon | wrong type           | endpoints
            ScaledObject    | diffarm-daemon | unknown field        | maxReplicas
            ScaledObject    | diffarm-daemon | wrong type           | maxReplicaCount
            ScaledObject    | diffarm-daemon | missing required     | scaleTargetRef
            """)
    void aBrokenResourceIsRefusedNamingTheField(String kind, String name, String breakage, String field) {
        Resource valid = ManifestsTest.find(VALID, kind, name);
        assertEquals(List.of(), ManifestSchemas.problems(valid), "the resource must be valid before it is broken");
        ObjectNode broken = valid.body().deepCopy();
        BREAKS.stream().filter(b -> b.kind.equals(kind) && b.field.equals(field)).findFirst()
                .orElseThrow(() -> new AssertionError("no break for " + kind + " " + field)).change.accept(broken);
        List<String> problems = ManifestSchemas.problems(new Resource("broken " + kind, broken));
        System.out.printf("%s %s (%s): %s%n", kind, breakage, field, problems);
        assertTrue(problems.stream().anyMatch(problem -> problem.contains(field)),
                "expected a problem naming " + field + ", got " + problems);
    }

    private record Break(String kind, String field, Consumer<ObjectNode> change) {
    }

    private static final List<Break> BREAKS = List.of(
            new Break("StatefulSet", "replica", body -> spec(body).put("replica", 2)),
            new Break("StatefulSet", "containers", body -> podSpec(body).put("containers", "daemon")),
            new Break("StatefulSet", "name", body -> ((ObjectNode) podSpec(body).path("containers").get(0))
                    .remove("name")),
            new Break("Kafka", "listner", body -> ((ObjectNode) spec(body).path("kafka")).put("listner", "plain")),
            new Break("Kafka", "port", body -> ((ObjectNode) spec(body).path("kafka").path("listeners").get(0))
                    .put("port", "nine-thousand-ninety-two")),
            new Break("Kafka", "listeners", body -> ((ObjectNode) spec(body).path("kafka")).remove("listeners")),
            new Break("KafkaNodePool", "persistent-volume", body -> ((ObjectNode) spec(body).path("storage")
                    .path("volumes").get(0)).put("type", "persistent-volume")),
            new Break("KafkaTopic", "partitions", body -> spec(body).put("partitions", "twelve")),
            new Break("ServiceMonitor", "scrapeInterval", body -> spec(body).put("scrapeInterval", "30s")),
            new Break("ServiceMonitor", "endpoints", body -> spec(body).put("endpoints", "http")),
            new Break("ScaledObject", "maxReplicas", body -> spec(body).put("maxReplicas", 12)),
            new Break("ScaledObject", "maxReplicaCount", body -> spec(body).put("maxReplicaCount", "twelve")),
            new Break("ScaledObject", "scaleTargetRef", body -> spec(body).remove("scaleTargetRef")));

    private static ObjectNode spec(ObjectNode body) {
        return (ObjectNode) body.path("spec");
    }

    private static ObjectNode podSpec(ObjectNode body) {
        return (ObjectNode) body.path("spec").path("template").path("spec");
    }
}

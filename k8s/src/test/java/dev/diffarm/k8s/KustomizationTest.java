package dev.diffarm.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** The renderer resolves what a kustomization names, merges patches as kustomize does, and refuses the rest. */
class KustomizationTest {
    @TempDir
    Path folder;

    private static final String SERVICE = """
            apiVersion: v1
            kind: Service
            metadata:
              name: web
            spec:
              ports:
              - name: http
                port: 80
              - name: admin
                port: 81
            """;

    @Test
    void aPatchMergesIntoItsTargetEntryByEntry() throws IOException {
        write("base/service.yaml", SERVICE);
        write("base/kustomization.yaml", kustomization("resources: [service.yaml]"));
        write("overlay/kustomization.yaml", kustomization("namespace: farm\nresources: [../base]\n"
                + "patches:\n- path: port.yaml"));
        // The same Service with only its first port, changed.
        write("overlay/port.yaml", SERVICE.substring(0, SERVICE.indexOf("  - name: admin"))
                .replace("port: 80", "port: 8080"));
        Resource service = Kustomization.render(folder.resolve("overlay")).get(0);
        assertEquals(8080, service.body().at("/spec/ports/0/port").asInt());
        assertEquals(81, service.body().at("/spec/ports/1/port").asInt(), "the entry the patch does not name stays");
        assertEquals("farm", service.body().at("/metadata/namespace").asText());
    }

    static Stream<Arguments> unresolvable() {
        return Stream.of(
                Arguments.of("a missing resource", "resources: [service.yaml, gone.yaml]", Map.of(),
                        "resource gone.yaml does not exist"),
                Arguments.of("a patch that matches nothing", "resources: [service.yaml]\npatches:\n- path: patch.yaml",
                        Map.of("patch.yaml", SERVICE.replace("name: web", "name: website")), "matches no resource"),
                Arguments.of("a field the renderer does not implement (refused rather than ignored)",
                        "resources: [service.yaml]\nnamePrefix: dev-", Map.of(), "field namePrefix is not supported"),
                Arguments.of("a resource defined twice", "resources: [service.yaml, again.yaml]",
                        Map.of("again.yaml", SERVICE), "is defined twice"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unresolvable")
    void aKustomizationThatDoesNotResolveIsRefusedSayingWhy(String what, String kustomization,
                                                            Map<String, String> files, String expected)
            throws IOException {
        String message = refusal(kustomization, files);
        assertTrue(message.contains(expected), what + ": " + message);
    }

    /** The error of rendering folder base/ with this kustomization, SERVICE as service.yaml, and other files. */
    private String refusal(String kustomization, Map<String, String> files) throws IOException {
        write("base/kustomization.yaml", kustomization(kustomization));
        write("base/service.yaml", SERVICE);
        for (Map.Entry<String, String> file : files.entrySet()) {
            write("base/" + file.getKey(), file.getValue());
        }
        return assertThrows(IllegalArgumentException.class, () -> Kustomization.render(folder.resolve("base")))
                .getMessage();
    }

    private static String kustomization(String body) {
        return "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\n" + body + "\n";
    }

    private void write(String name, String text) throws IOException {
        Path file = folder.resolve(name);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

}

package dev.diffarm.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

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
        write("overlay/port.yaml", """
                apiVersion: v1
                kind: Service
                metadata:
                  name: web
                spec:
                  ports:
                  - name: http
                    port: 8080
                """);
        Resource service = Kustomization.render(folder.resolve("overlay")).get(0);
        assertEquals(8080, service.body().at("/spec/ports/0/port").asInt());
        assertEquals(81, service.body().at("/spec/ports/1/port").asInt(), "the entry the patch does not name stays");
        assertEquals("farm", service.body().at("/metadata/namespace").asText());
    }

    @Test
    void aMissingResourceIsRefusedNamingIt() throws IOException {
        write("base/kustomization.yaml", kustomization("resources: [service.yaml, gone.yaml]"));
        write("base/service.yaml", SERVICE);
        String message = assertThrows(IllegalArgumentException.class,
                () -> Kustomization.render(folder.resolve("base"))).getMessage();
        assertTrue(message.contains("resource gone.yaml does not exist"), message);
    }

    @Test
    void aPatchThatMatchesNothingIsRefused() throws IOException {
        write("base/kustomization.yaml", kustomization("resources: [service.yaml]\npatches:\n- path: patch.yaml"));
        write("base/service.yaml", SERVICE);
        write("base/patch.yaml", SERVICE.replace("name: web", "name: website"));
        String message = assertThrows(IllegalArgumentException.class,
                () -> Kustomization.render(folder.resolve("base"))).getMessage();
        assertTrue(message.contains("matches no resource"), message);
    }

    @Test
    void aFieldTheRendererDoesNotImplementIsRefusedRatherThanIgnored() throws IOException {
        write("base/kustomization.yaml", kustomization("resources: [service.yaml]\nnamePrefix: dev-"));
        write("base/service.yaml", SERVICE);
        String message = assertThrows(IllegalArgumentException.class,
                () -> Kustomization.render(folder.resolve("base"))).getMessage();
        assertTrue(message.contains("field namePrefix is not supported"), message);
    }

    @Test
    void aResourceDefinedTwiceIsRefused() throws IOException {
        write("base/kustomization.yaml", kustomization("resources: [service.yaml, again.yaml]"));
        write("base/service.yaml", SERVICE);
        write("base/again.yaml", SERVICE);
        assertThrows(IllegalArgumentException.class, () -> Kustomization.render(folder.resolve("base")));
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

package dev.diffarm.k8s;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A kustomization folder rendered the way {@code kubectl kustomize} renders the features these manifests use:
 * {@code resources} (files, and folders with their own kustomization, recursively), {@code patches} given by
 * {@code path} (strategic merge, matched on group, kind and name), and {@code namespace}. Any other field is
 * refused rather than ignored, so that a rendering here never silently differs from kustomize's.
 */
final class Kustomization {
    private static final Set<String> SUPPORTED = Set.of("apiVersion", "kind", "namespace", "resources", "patches");
    private static final String API_VERSION = "kustomize.config.k8s.io/v1beta1";

    private Kustomization() {
    }

    /**
     * The resources {@code folder}'s kustomization produces.
     *
     * @throws IllegalArgumentException naming the kustomization and the field, file or patch that does not resolve
     */
    static List<Resource> render(Path folder) {
        Path file = folder.resolve("kustomization.yaml");
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(folder + ": expected a kustomization.yaml");
        }
        List<Resource> documents = ManifestFiles.read(file);
        if (documents.size() != 1) {
            throw new IllegalArgumentException(file + ": expected one document, found " + documents.size());
        }
        ObjectNode kustomization = documents.get(0).body();
        for (Iterator<String> names = kustomization.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!SUPPORTED.contains(name)) {
                throw new IllegalArgumentException(file + ": field " + name + " is not supported by this renderer; "
                        + "expected only " + SUPPORTED);
            }
        }
        if (!API_VERSION.equals(kustomization.path("apiVersion").asText())
                || !"Kustomization".equals(kustomization.path("kind").asText())) {
            throw new IllegalArgumentException(file + ": expected apiVersion " + API_VERSION
                    + " and kind Kustomization");
        }
        Map<String, Resource> resources = new LinkedHashMap<>();
        for (JsonNode entry : kustomization.path("resources")) {
            for (Resource resource : resolve(folder, entry.asText(), file)) {
                if (resources.put(resource.identity(), resource) != null) {
                    throw new IllegalArgumentException(file + ": " + resource + " is defined twice");
                }
            }
        }
        for (JsonNode patch : kustomization.path("patches")) {
            applyPatch(folder, patch, file, resources);
        }
        String namespace = kustomization.path("namespace").asText("");
        List<Resource> rendered = new ArrayList<>();
        for (Resource resource : resources.values()) {
            if (!namespace.isEmpty() && !"Namespace".equals(resource.kind())) {
                ((ObjectNode) resource.body().with("metadata")).put("namespace", namespace);
            }
            rendered.add(resource);
        }
        return rendered;
    }

    private static List<Resource> resolve(Path folder, String entry, Path file) {
        Path path = folder.resolve(entry).normalize();
        if (Files.isDirectory(path)) {
            return render(path);
        }
        if (Files.isRegularFile(path)) {
            return ManifestFiles.read(path);
        }
        throw new IllegalArgumentException(file + ": resource " + entry + " does not exist (" + path + ")");
    }

    private static void applyPatch(Path folder, JsonNode patch, Path file, Map<String, Resource> resources) {
        if (!patch.isObject() || patch.size() != 1 || !patch.path("path").isTextual()) {
            throw new IllegalArgumentException(file + ": patch " + patch + ": expected {path: FILE} (a strategic "
                    + "merge patch naming its target by apiVersion, kind and name)");
        }
        Path path = folder.resolve(patch.get("path").asText()).normalize();
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException(file + ": patch " + patch.get("path").asText() + " does not exist");
        }
        for (Resource change : ManifestFiles.read(path)) {
            Resource target = resources.get(change.identity());
            if (target == null) {
                throw new IllegalArgumentException(path + ": patch " + change + " matches no resource; expected one "
                        + "of " + resources.keySet());
            }
            StrategicMerge.apply(target.body(), change.body(), change.source());
        }
    }
}

package dev.diffarm.k8s;

import java.util.List;

/** Every resource checked against the schema of its API version and kind, whichever library holds it. */
final class ManifestSchemas {
    private ManifestSchemas() {
    }

    /**
     * What is wrong with {@code resource}: empty when it is valid; a resource of an API version and kind that no
     * schema here covers is a problem too, so that nothing passes unchecked.
     */
    static List<String> problems(Resource resource) {
        return KubernetesApiSchema.problems(resource)
                .or(() -> StrictModelSchema.problems(resource))
                .or(() -> CrdSchema.problems(resource))
                .orElse(List.of("no schema for " + resource.apiVersion() + " " + resource.kind()
                        + ": add its model or CRD to the k8s module's tests"));
    }
}

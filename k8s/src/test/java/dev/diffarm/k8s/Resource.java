package dev.diffarm.k8s;

import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * One Kubernetes resource as written in a manifest or rendered from a kustomization.
 *
 * @param source where it comes from (a file and its document number, or a kustomization), for messages
 * @param body   the resource's fields
 */
record Resource(String source, ObjectNode body) {
    /** {@code group/version}, or {@code version} for the core group. */
    String apiVersion() {
        return body.path("apiVersion").asText("");
    }

    String kind() {
        return body.path("kind").asText("");
    }

    String name() {
        return body.path("metadata").path("name").asText("");
    }

    /** What a kustomize patch is matched on: the API group, the kind and the name (the version may differ). */
    String identity() {
        String apiVersion = apiVersion();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        return group + "/" + kind() + "/" + name();
    }

    @Override
    public String toString() {
        return apiVersion() + " " + kind() + " " + name() + " (" + source + ")";
    }

}

package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;

/**
 * One task of a job's {@link Plan}: one image, where it is stored, and what it is made of.
 *
 * <p>Its id is {@code t} and its index in the plan as four digits ({@code t0007}); its image is stored at
 * {@code jobs/<jobId>/<taskId>.png}, its thumbnail at {@code jobs/<jobId>/thumbs/<taskId>.png} and a sidecar at
 * {@code jobs/<jobId>/<taskId>.json} ({@link #sidecarJson()}) holding the parameters and their hash. The farm skips a task whose sidecar already
 * holds the same {@link #parameterHash()}: a job delivered again resumes where it stopped.
 *
 * @param jobId      the job's id
 * @param index      the position in the plan, from 0
 * @param parameters what decides the image
 * @param style      the name of the campaign style it was made in; empty for a render job
 */
public record TaskSpec(String jobId, int index, TaskParameters parameters, Optional<String> style) {
    public TaskSpec {
        Rules.ID.require("jobId", jobId);
        if (index < 0 || index >= Limits.MAX_TASKS) {
            throw new IllegalArgumentException("index = " + index + ": expected 0.." + (Limits.MAX_TASKS - 1));
        }
        Objects.requireNonNull(parameters, "parameters");
        Objects.requireNonNull(style, "style");
    }

    /** The task id, {@code t0000} to {@code t9999}: sorts in plan order. */
    public String id() {
        return Plan.taskId(index);
    }

    /** The object key of the image: {@code jobs/<jobId>/<taskId>.png}. */
    public String key() {
        return Plan.prefix(jobId) + id() + ".png";
    }

    /** The object key of the image's thumbnail, for overviews: {@code jobs/<jobId>/thumbs/<taskId>.png}. */
    public String thumbnailKey() {
        return Plan.prefix(jobId) + "thumbs/" + id() + ".png";
    }

    /** The object key of the sidecar: {@code jobs/<jobId>/<taskId>.json}. */
    public String sidecarKey() {
        return Plan.prefix(jobId) + id() + ".json";
    }

    /** {@link TaskParameters#hash()} of this task's parameters. */
    public String parameterHash() {
        return parameters.hash();
    }

    /**
     * The sidecar stored next to the image: {@code apiVersion}, {@code jobId}, {@code taskId}, {@code key},
     * {@code style} (campaigns only), {@code parameters} (the canonical parameters) and {@code parameterHash}.
     */
    public String sidecarJson() {
        ObjectNode node = Json.object();
        node.put("apiVersion", Job.API_VERSION);
        node.put("jobId", jobId);
        node.put("taskId", id());
        node.put("key", key());
        style.ifPresent(name -> node.put("style", name));
        node.set("parameters", parameters.toJsonTree());
        node.put("parameterHash", parameterHash());
        return Json.canonical(node);
    }

    /**
     * The {@code parameterHash} a stored sidecar records; empty when {@code sidecarJson} is not a sidecar
     * (not JSON, or without a textual {@code parameterHash}), so that the task is rendered again.
     */
    public static Optional<String> storedParameterHash(byte[] sidecarJson) {
        try {
            JsonNode hash = Json.read(sidecarJson).path("parameterHash");
            return hash.isTextual() ? Optional.of(hash.textValue()) : Optional.empty();
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }
}

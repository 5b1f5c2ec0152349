package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * What a {@link MergeJob} made, stored at {@link MergeJob#recordKey()} once the merged model is written:
 * <pre>{@code
 * {"apiVersion": "diffarm/v1", "jobId": "dream-mix-1", "kind": "merge", "method": "weighted-sum", "multiplier": 0.3,
 *  "inputs": [{"field": "a", "model": "v1-5-pruned-emaonly", "sha256": "6ce0161689..."},
 *             {"field": "b", "model": "dreamshaper", "sha256": "879db523c3..."}],
 *  "output": {"model": "dream-mix", "file": "dream-mix.safetensors", "bytes": 2132625894, "sha256": "0f1c5e..."},
 *  "tensors": 1131, "seconds": 41.7, "parameterHash": "9f2c..."}
 * }</pre>
 * The SHA-256 digests are of the files as merged (of a diffusers folder: the digest of its listing, as
 * {@code ModelHash} in the engine defines it); the first 10 hex digits of the output's are the {@code Model hash}
 * that images rendered with it carry. {@code seconds} is the time of the merge itself, from opening the inputs to
 * the written file.
 *
 * @param job          the job
 * @param inputSha256  the SHA-256 of each of {@link MergeJob#models()}, in that order
 * @param outputBytes  the size of the merged model's file
 * @param outputSha256 the SHA-256 of the merged model's file
 * @param tensors      how many tensors the merged model holds
 * @param seconds      how long the merge took
 */
public record MergeRecord(MergeJob job, List<String> inputSha256, long outputBytes, String outputSha256, int tensors,
                          double seconds) {
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final List<String> INPUT_FIELDS = List.of("a", "b", "c");

    public MergeRecord {
        Objects.requireNonNull(job, "job");
        inputSha256 = List.copyOf(inputSha256);
        if (inputSha256.size() != job.models().size()) {
            throw new IllegalArgumentException("inputSha256 has " + inputSha256.size() + " digests: expected one for each of "
                    + job.models());
        }
        inputSha256.forEach(MergeRecord::requireSha256);
        requireSha256(outputSha256);
        if (outputBytes < 0 || tensors < 0 || !(seconds >= 0)) {
            throw new IllegalArgumentException("outputBytes = " + outputBytes + ", tensors = " + tensors + ", seconds = "
                    + seconds + ": expected none negative");
        }
    }

    /** The record's JSON, fields in the order of the example above. */
    public String toJson() {
        ObjectNode node = Json.object();
        node.put("apiVersion", Job.API_VERSION);
        node.put("jobId", job.id());
        node.put("kind", MergeJob.KIND);
        node.put("method", job.method().id());
        node.put("multiplier", job.multiplier());
        ArrayNode inputs = node.putArray("inputs");
        List<String> models = job.models();
        for (int i = 0; i < models.size(); i++) {
            inputs.addObject().put("field", INPUT_FIELDS.get(i)).put("model", models.get(i)).put("sha256", inputSha256.get(i));
        }
        node.putObject("output").put("model", job.output()).put("file", job.outputFile()).put("bytes", outputBytes)
                .put("sha256", outputSha256);
        node.put("tensors", tensors);
        node.put("seconds", seconds);
        node.put("parameterHash", job.parameterHash());
        return Json.write(node);
    }

    /**
     * What a stored record says about the model it describes: the job's parameter hash and the model file's SHA-256.
     *
     * @param parameterHash {@link MergeJob#parameterHash()} of the job that made it
     * @param outputSha256  the SHA-256 of the file it wrote
     */
    public record Stored(String parameterHash, String outputSha256) {
    }

    /**
     * The parameter hash and output digest a stored record holds; empty when {@code json} is no record (not JSON, or
     * without them as text), so that the job merges again rather than trusting it.
     */
    public static Optional<Stored> stored(byte[] json) {
        try {
            JsonNode root = Json.read(json);
            JsonNode hash = root.path("parameterHash");
            JsonNode sha256 = root.path("output").path("sha256");
            return hash.isTextual() && sha256.isTextual() ? Optional.of(new Stored(hash.textValue(), sha256.textValue()))
                    : Optional.empty();
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }

    private static void requireSha256(String digest) {
        if (digest == null || !SHA256.matcher(digest).matches()) {
            throw new IllegalArgumentException("SHA-256 = " + digest + ": expected 64 lower-case hex digits");
        }
    }
}

package dev.diffarm.daemon.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Objects;

/**
 * One record of the chunks topic, as JSON: a chunk of a split job (its task indexes {@code from} inclusive to
 * {@code to} exclusive), or the job's finalize record, sent once every task seemed stored. Both name the job, its
 * tenant and the split ({@code round}) whose stored copy of the job ({@link FanOut}) they work from.
 *
 * @param chunk the chunk's number from 0; -1 for a finalize record
 */
record JobPart(Type type, String jobId, String tenant, String round, int chunk, int from, int to) {
    private static final ObjectMapper JSON = new ObjectMapper();

    enum Type { CHUNK, FINALIZE }

    JobPart {
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(jobId, "jobId");
        Objects.requireNonNull(tenant, "tenant");
        Objects.requireNonNull(round, "round");
        if (type == Type.CHUNK && (chunk < 0 || from < 0 || to <= from)) {
            throw new IllegalArgumentException("chunk " + chunk + " of job " + jobId + " has tasks " + from + ".." + to
                    + ": expected a chunk number from 0 and tasks from <= to - 1, from 0");
        }
    }

    static JobPart chunk(String jobId, String tenant, String round, int chunk, int from, int to) {
        return new JobPart(Type.CHUNK, jobId, tenant, round, chunk, from, to);
    }

    static JobPart finalizing(String jobId, String tenant, String round) {
        return new JobPart(Type.FINALIZE, jobId, tenant, round, -1, 0, 0);
    }

    /** The record key: {@code <jobId>/<chunk>} for a chunk, {@code <jobId>} for a finalize record. */
    String key() {
        return type == Type.CHUNK ? jobId + "/" + chunk : jobId;
    }

    /** The record value. */
    byte[] toJson() {
        ObjectNode node = JSON.createObjectNode();
        node.put("type", type.name().toLowerCase(Locale.ROOT));
        node.put("job", jobId);
        node.put("tenant", tenant);
        node.put("round", round);
        if (type == Type.CHUNK) {
            node.put("chunk", chunk);
            node.put("from", from);
            node.put("to", to);
        }
        try {
            return JSON.writeValueAsBytes(node);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write " + this, e);
        }
    }

    /**
     * The part a record holds.
     *
     * @throws IllegalArgumentException naming what is wrong, when it is no part
     */
    static JobPart parse(byte[] value) {
        JsonNode node;
        try {
            node = JSON.readTree(value);
        } catch (IOException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException("expected a JSON object, got " + new String(value, StandardCharsets.UTF_8));
        }
        String type = text(node, "type");
        String job = text(node, "job");
        String tenant = text(node, "tenant");
        String round = text(node, "round");
        return switch (type) {
            case "chunk" -> chunk(job, tenant, round, number(node, "chunk"), number(node, "from"), number(node, "to"));
            case "finalize" -> finalizing(job, tenant, round);
            default -> throw new IllegalArgumentException("type \"" + type + "\": expected \"chunk\" or \"finalize\"");
        };
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.isTextual() || value.asText().isEmpty()) {
            throw new IllegalArgumentException(field + ": expected a non-empty string, got " + value);
        }
        return value.asText();
    }

    private static int number(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || !value.canConvertToInt() || !value.isIntegralNumber()) {
            throw new IllegalArgumentException(field + ": expected an integer, got " + value);
        }
        return value.asInt();
    }
}

package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A job of kind {@value #KIND}: merges two or three of the farm's models into a new one, tensor by tensor, as
 * AUTOMATIC1111's checkpoint merger does.
 * <pre>{@code
 * {"apiVersion": "diffarm/v1", "kind": "merge", "id": "dream-mix-1", "method": "weighted-sum",
 *  "a": "v1-5-pruned-emaonly", "b": "dreamshaper", "multiplier": 0.3, "output": "dream-mix"}
 *
 * {"apiVersion": "diffarm/v1", "kind": "merge", "id": "anime-mix-1", "method": "add-difference",
 *  "a": "realistic-vision", "b": "anime-finetune", "c": "v1-5-pruned-emaonly", "multiplier": 1, "output": "anime-mix"}
 * }</pre>
 * {@code weighted-sum} makes {@code a·(1-m) + b·m}; {@code add-difference} makes {@code a + (b - c)·m}, which moves
 * a by what a fine-tune b learned from its base c. Every field is required except {@code c}, which add-difference
 * requires and the weighted sum refuses. {@code a}, {@code b} and {@code c} name models the farm has (diffusers
 * folders or single files, in any mix), which must be of one architecture.
 *
 * <h2>The merged model</h2>
 * It becomes the single-file checkpoint {@code <output>.safetensors} in the farm's models directory (original
 * layout, a's float type), so render jobs can name it as soon as the job completes. {@code output} must be a name
 * no model of the farm has: a merge never replaces a model. The job is one task, {@value #TASK_ID}, whose
 * {@code progress} events count merged tensors as steps, and it stores one object, the record
 * {@code jobs/<id>/}{@value #RECORD_FILE} ({@link MergeRecord}).
 *
 * <h2>Delivered again</h2>
 * A merge job delivered again after it completed finds its record with the same {@link #parameterHash()} and the
 * model file with the recorded SHA-256, and completes without merging again ({@code task-completed} with
 * {@code skipped: true}). Any other model under the output name fails the job.
 *
 * @param id         the idempotency key (see {@link Job#id()})
 * @param method     how the models are combined
 * @param a          the first model; the merged model keeps its float type
 * @param b          the second model
 * @param c          for add-difference, the model whose difference to b is added; empty for the weighted sum
 * @param multiplier {@code m}, 0..1: b's share in the weighted sum, the share of the difference added
 * @param output     the merged model's name: its file is {@code <output>.safetensors}
 */
public record MergeJob(String id, MergeMethod method, String a, String b, Optional<String> c, double multiplier,
                       String output) implements Job {
    /** The {@code kind} of a merge job. */
    public static final String KIND = "merge";
    /** The id of a merge job's one task, in its progress and task-completed events. */
    public static final String TASK_ID = "t0000";
    /** The name of the record under the job's prefix. */
    public static final String RECORD_FILE = "merge.json";
    /** The file name extension of the merged model. */
    public static final String MODEL_EXTENSION = ".safetensors";

    static final String THIRD_MODEL = "the name of the model whose difference to b is added (add-difference "
            + "merges a, b and c)";
    static final String NO_THIRD_MODEL = "no c: the weighted sum merges a and b only";

    public MergeJob {
        Rules.ID.require("id", id);
        Objects.requireNonNull(method, "method");
        Rules.NAME.require("a", a);
        Rules.NAME.require("b", b);
        Objects.requireNonNull(c, "c").ifPresent(name -> Rules.NAME.require("c", name));
        checkThirdModel(Problems.THROWING, method, c);
        Rules.MULTIPLIER.require("multiplier", multiplier);
        Rules.MODEL_OUTPUT.require("output", output);
    }

    /** The job that makes {@code output} as {@code a·(1-m) + b·m}. */
    public static MergeJob weightedSum(String id, String a, String b, double multiplier, String output) {
        return new MergeJob(id, MergeMethod.WEIGHTED_SUM, a, b, Optional.empty(), multiplier, output);
    }

    /** The job that makes {@code output} as {@code a + (b - c)·m}. */
    public static MergeJob addDifference(String id, String a, String b, String c, double multiplier, String output) {
        return new MergeJob(id, MergeMethod.ADD_DIFFERENCE, a, b, Optional.of(c), multiplier, output);
    }

    /** Reports a {@code c} the method does not take, or a missing one it needs. */
    static void checkThirdModel(Problems problems, MergeMethod method, Optional<String> c) {
        if (method == MergeMethod.ADD_DIFFERENCE && c.isEmpty()) {
            problems.report(ValidationError.missing("c", THIRD_MODEL));
        } else if (method == MergeMethod.WEIGHTED_SUM && c.isPresent()) {
            problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, "c", Json.show(c.get()), NO_THIRD_MODEL));
        }
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.merge(this);
    }

    @Override
    public int taskCount() {
        return 1;
    }

    /** The names of the models merged, in the order a, b, c. */
    public List<String> models() {
        List<String> models = new ArrayList<>(List.of(a, b));
        c.ifPresent(models::add);
        return List.copyOf(models);
    }

    /** The merged model's file name in the models directory: {@code <output>.safetensors}. */
    public String outputFile() {
        return output + MODEL_EXTENSION;
    }

    /** The object key of the job's record: {@code jobs/<id>/merge.json}. */
    public String recordKey() {
        return Plan.prefix(id) + RECORD_FILE;
    }

    /**
     * The canonical JSON of what decides the merged model: {@code a}, {@code b}, {@code c} (add-difference only),
     * {@code method}, {@code multiplier} (with a decimal point) and {@code output}, sorted by name, without spaces.
     * Like {@link TaskParameters#toJson()} it names the models; it does not cover their files' content.
     */
    public String parametersJson() {
        return Json.canonical(parametersTree());
    }

    /** The SHA-256 of the UTF-8 bytes of {@link #parametersJson()}, as 64 lower-case hex digits. */
    public String parameterHash() {
        return Sha256.hex(parametersJson().getBytes(StandardCharsets.UTF_8));
    }

    ObjectNode parametersTree() {
        ObjectNode node = Json.object();
        node.put("method", method.id());
        node.put("a", a);
        node.put("b", b);
        c.ifPresent(name -> node.put("c", name));
        node.put("multiplier", multiplier);
        node.put("output", output);
        return node;
    }
}

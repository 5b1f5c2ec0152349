package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;

/**
 * A job of kind {@value #KIND}: fine-tunes one of the farm's models on a dataset of captioned images and stores the
 * result so that render jobs can use it at once.
 * <pre>{@code
 * {"apiVersion": "diffarm/v1", "kind": "train", "id": "house-style-1", "method": "lora", "model": "sd15",
 *  "dataset": "house-style", "output": "house-style", "learningRate": 1e-4, "networkDim": 16, "maxTrainSteps": 1200}
 * }</pre>
 * Hyperparameters carry the names kohya's and diffusers' users know, with kohya's defaults. Only the method
 * {@code lora} is accepted so far; {@code dreambooth} and {@code textual-inversion} are refused naming
 * {@code method} until the farm can train them.
 *
 * <h2>Dataset</h2>
 * {@code dataset} names a folder under the farm's datasets root ({@code DIFFARM_DATASETS_DIR}) holding PNG images,
 * each with its caption in the {@code .txt} file of the same name, all {@code resolution} pixels square. It is a
 * name, never a path: it cannot leave the root.
 *
 * <h2>Outputs</h2>
 * One task, {@value #TASK_ID}, whose {@code progress} events count optimizer steps. The LoRA in kohya's format goes
 * to {@code loras/<output>.safetensors} in the store and into the node's LoRA folder, so that {@code <lora:output:w>}
 * works in the next render job. Every {@code saveEvery} steps the whole training state is saved under the task's
 * keys; a job delivered again after a crash resumes from the last one.
 *
 * @param id                        the idempotency key (see {@link Job#id()})
 * @param method                    {@code lora}
 * @param model                     the model to fine-tune
 * @param dataset                   the dataset's folder name under the datasets root
 * @param output                    the LoRA's name: its file is {@code <output>.safetensors}
 * @param learningRate              the base learning rate
 * @param networkDim                the LoRA's rank
 * @param networkAlpha              the LoRA's alpha (its scale is alpha / rank)
 * @param maxTrainSteps             optimizer steps
 * @param trainBatchSize            images per micro-batch
 * @param gradientAccumulationSteps micro-batches per optimizer step
 * @param maxGradNorm               the largest total gradient norm, 0 for no clipping
 * @param lrScheduler               diffusers' schedule name
 * @param lrWarmupSteps             warm-up steps of the schedule
 * @param resolution                the side of the (square) training images in pixels
 * @param enableBucket              aspect-ratio buckets (not yet: must be false)
 * @param shuffle                   a new image order every epoch (false: name order)
 * @param seed                      the seed of the run's one generator
 * @param saveEvery                 save the training state every this many steps, 0 for only at the end
 * @param loraTargets               the layers a LoRA is attached to, as peft names them; empty for kohya's set
 */
public record TrainJob(String id, String method, String model, String dataset, String output, double learningRate,
                       int networkDim, double networkAlpha, int maxTrainSteps, int trainBatchSize,
                       int gradientAccumulationSteps, double maxGradNorm, String lrScheduler, int lrWarmupSteps,
                       int resolution, boolean enableBucket, boolean shuffle, long seed, int saveEvery,
                       List<String> loraTargets) implements Job {
    /** The {@code kind} of a train job. */
    public static final String KIND = "train";
    /** The id of a train job's one task. */
    public static final String TASK_ID = "t0000";
    /** The store folder of trained LoRAs: {@code loras/<output>.safetensors}. */
    public static final String LORA_PREFIX = "loras/";
    /** The file name extension of a trained LoRA. */
    public static final String LORA_EXTENSION = ".safetensors";
    /** The methods the farm trains. */
    public static final List<String> METHODS = List.of("lora");
    /** diffusers' {@code get_scheduler} names, which kohya takes too. */
    public static final List<String> LR_SCHEDULERS = List.of("constant", "constant_with_warmup", "linear", "cosine",
            "cosine_with_restarts", "polynomial");

    public TrainJob {
        Rules.ID.require("id", id);
        Rules.TRAIN_METHOD.require("method", method);
        Rules.NAME.require("model", model);
        Rules.DATASET.require("dataset", dataset);
        Rules.LORA_OUTPUT.require("output", output);
        Rules.LEARNING_RATE.require("learningRate", learningRate);
        Rules.NETWORK_DIM.require("networkDim", (long) networkDim);
        Rules.NETWORK_ALPHA.require("networkAlpha", networkAlpha);
        Rules.TRAIN_STEPS.require("maxTrainSteps", (long) maxTrainSteps);
        Rules.TRAIN_BATCH.require("trainBatchSize", (long) trainBatchSize);
        Rules.ACCUMULATION.require("gradientAccumulationSteps", (long) gradientAccumulationSteps);
        Rules.MAX_GRAD_NORM.require("maxGradNorm", maxGradNorm);
        Rules.LR_SCHEDULER.require("lrScheduler", lrScheduler);
        Rules.WARMUP_STEPS.require("lrWarmupSteps", (long) lrWarmupSteps);
        Rules.RESOLUTION.require("resolution", (long) resolution);
        Rules.ENABLE_BUCKET.require("enableBucket", enableBucket);
        Rules.SEED.require("seed", seed);
        Rules.SAVE_EVERY.require("saveEvery", (long) saveEvery);
        loraTargets = List.copyOf(Objects.requireNonNull(loraTargets, "loraTargets"));
        for (int i = 0; i < loraTargets.size(); i++) {
            Rules.LORA_TARGET.require(FieldPath.index("loraTargets", i), loraTargets.get(i));
        }
    }

    /** A LoRA job with kohya's defaults for every hyperparameter. */
    public static TrainJob lora(String id, String model, String dataset, String output) {
        return new TrainJob(id, Defaults.TRAIN_METHOD, model, dataset, output, Defaults.LEARNING_RATE,
                Defaults.NETWORK_DIM, Defaults.NETWORK_ALPHA, Defaults.MAX_TRAIN_STEPS, Defaults.TRAIN_BATCH_SIZE,
                Defaults.GRADIENT_ACCUMULATION_STEPS, Defaults.MAX_GRAD_NORM, Defaults.LR_SCHEDULER,
                Defaults.LR_WARMUP_STEPS, Defaults.RESOLUTION, false, true, Defaults.TRAIN_SEED, 0, List.of());
    }

    @Override
    public String kind() {
        return KIND;
    }

    @Override
    public <R> R accept(Visitor<R> visitor) {
        return visitor.train(this);
    }

    @Override
    public int taskCount() {
        return 1;
    }

    /** The trained LoRA's file name: {@code <output>.safetensors}. */
    public String outputFile() {
        return output + LORA_EXTENSION;
    }

    /** The store key of the trained LoRA: {@code loras/<output>.safetensors}. */
    public String loraKey() {
        return LORA_PREFIX + outputFile();
    }

    /**
     * What decides the trained LoRA, as 64 lower-case hex digits: the SHA-256 of the canonical JSON (sorted, without
     * spaces) of every field but {@code id}. It names the model and the dataset; it does not cover their files.
     */
    public String parameterHash() {
        return Sha256.hex(Json.canonical(parametersTree()).getBytes(StandardCharsets.UTF_8));
    }

    ObjectNode parametersTree() {
        ObjectNode node = Json.object();
        node.put("method", method);
        node.put("model", model);
        node.put("dataset", dataset);
        node.put("output", output);
        node.put("learningRate", learningRate);
        node.put("networkDim", networkDim);
        node.put("networkAlpha", networkAlpha);
        node.put("maxTrainSteps", maxTrainSteps);
        node.put("trainBatchSize", trainBatchSize);
        node.put("gradientAccumulationSteps", gradientAccumulationSteps);
        node.put("maxGradNorm", maxGradNorm);
        node.put("lrScheduler", lrScheduler);
        node.put("lrWarmupSteps", lrWarmupSteps);
        node.put("resolution", resolution);
        node.put("enableBucket", enableBucket);
        node.put("shuffle", shuffle);
        node.put("seed", seed);
        node.put("saveEvery", saveEvery);
        ArrayNode targets = node.putArray("loraTargets");
        loraTargets.forEach(targets::add);
        return node;
    }
}

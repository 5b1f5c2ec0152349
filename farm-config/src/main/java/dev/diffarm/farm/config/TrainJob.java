package dev.diffarm.farm.config;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A job of kind {@value #KIND}: fine-tunes one of the farm's models on a dataset of captioned images and stores the
 * result so that render jobs can use it at once.
 * <pre>{@code
 * {"apiVersion": "diffarm/v1", "kind": "train", "id": "house-style-1", "method": "lora", "model": "sd15",
 *  "dataset": "house-style", "output": "house-style", "learningRate": [1e-4, 5e-4], "networkDim": 16,
 *  "sampleEvery": 200, "samplePrompts": ["a mug in house style"]}
 * }</pre>
 * Hyperparameters carry the names kohya's and diffusers' users know, with kohya's defaults (diffusers' for the fields
 * only DreamBooth and Textual Inversion have, and DreamBooth's learning rate, {@value #DREAMBOOTH_LEARNING_RATE}).
 *
 * <h2>Methods</h2>
 * {@code lora} (fields of its own: {@code networkDim}, {@code networkAlpha}, {@code loraTargets} and
 * {@link LoraNetworkOptions}: {@code networkTrainUnetOnly}, ...), {@code dreambooth}
 * ({@link DreamBoothOptions}: {@code instancePrompt}, ...) and {@code textual-inversion}
 * ({@link TextualInversionOptions}: {@code token}, ...). A field of another method is refused naming the field and
 * the method.
 *
 * <h2>Dataset</h2>
 * {@code dataset} names a folder under the farm's datasets root ({@code DIFFARM_DATASETS_DIR}) holding images, each
 * with its caption in the {@code .txt} file of the same name. It is a name, never a path: it cannot leave the root.
 * Or it names a prefix of the store, {@code "store:datasets/faces/"} ({@value #STORED_DATASET} then a prefix under
 * {@value #DATASETS_PREFIX} ending with '/'): the objects under it, in the job's tenant's part of the store, are the
 * dataset's files, kohya's repeat folders as key segments ({@code datasets/faces/10_zwx person/a.png}).
 *
 * <h2>Sweeps and tasks</h2>
 * {@link TrainSweep#FIELDS} may be lists; each combination ({@link #runs()}, at most
 * {@value TrainSweep#MAX_COMBINATIONS}) is a task of its own, {@code t0000}, {@code t0001}, ..., whose progress events
 * count optimizer steps and whose state is saved every {@code saveEvery} steps under its own keys; a job delivered
 * again after a crash resumes each from its last state. A sweep needs {@code samplePrompts}: it ends with a grid of
 * them rendered with each result.
 *
 * <h2>Outputs</h2>
 * Each run's result is named {@code <output>} (a sweep: {@code <output>-<label>}, such as {@code house-lr1e-4}) and
 * stored at {@code loras/<name>.safetensors} (kohya's LoRA format), {@code embeddings/<name>.safetensors} (A1111's
 * embedding) or {@code models/<name>.safetensors} (a single-file checkpoint). Under the job's prefix: the samples
 * ({@link #sampleKey}), the loss curve ({@link #lossPlotKey}) and, for a sweep, the grid ({@link #sweepGridKey}).
 *
 * @param id                        the idempotency key (see {@link Job#id()})
 * @param method                    {@code lora}, {@code dreambooth} or {@code textual-inversion}
 * @param model                     the model to fine-tune
 * @param dataset                   the dataset's folder name under the datasets root, or {@code store:} and its prefix
 * @param output                    the result's name: its file is {@code <output>.safetensors}
 * @param sweep                     learning rate, rank, alpha and steps: one value each, or lists to sweep
 * @param trainBatchSize            images per micro-batch
 * @param gradientAccumulationSteps micro-batches per optimizer step
 * @param maxGradNorm               the largest total gradient norm, 0 for no clipping
 * @param lrScheduler               diffusers' schedule name
 * @param lrWarmupSteps             warm-up steps of the schedule
 * @param resolution                the side of the training images in pixels (and of the samples)
 * @param shuffle                   a new image order every epoch (false: name order)
 * @param seed                      the seed of the run's one generator
 * @param saveEvery                 save the training state every this many steps, 0 for only at the end
 * @param loraTargets               the layers a LoRA is attached to, as peft names them; empty for kohya's set
 * @param data                      buckets, flipping and caption rules
 * @param loss                      prediction type, noise offset, min-SNR-γ
 * @param dreambooth                the DreamBooth fields: present exactly when the method is {@code dreambooth}
 * @param textualInversion          the Textual Inversion fields: present exactly when the method is
 *                                  {@code textual-inversion}
 * @param samples                   the images rendered while it learns
 * @param network                   a LoRA's parts and their learning rates; {@link LoraNetworkOptions#DEFAULTS} on
 *                                  another method's job
 * @param gradientCheckpointing     recompute the UNet's activations in the backward pass instead of keeping them
 *                                  (kohya's and diffusers' {@code --gradient_checkpointing}: less memory, more time,
 *                                  the same result)
 */
public record TrainJob(String id, String method, String model, String dataset, String output, TrainSweep sweep,
                       int trainBatchSize, int gradientAccumulationSteps, double maxGradNorm, String lrScheduler,
                       int lrWarmupSteps, int resolution, boolean shuffle, long seed, int saveEvery,
                       List<String> loraTargets, TrainDataOptions data, TrainLoss loss,
                       Optional<DreamBoothOptions> dreambooth, Optional<TextualInversionOptions> textualInversion,
                       TrainSamples samples, LoraNetworkOptions network, boolean gradientCheckpointing)
        implements Job {
    /** The {@code kind} of a train job. */
    public static final String KIND = "train";
    /** The id of a train job's first (and, without a sweep, only) task. */
    public static final String TASK_ID = "t0000";
    public static final String LORA = "lora";
    public static final String DREAMBOOTH = "dreambooth";
    public static final String TEXTUAL_INVERSION = "textual-inversion";
    /** The methods the farm trains. */
    public static final List<String> METHODS = List.of(LORA, DREAMBOOTH, TEXTUAL_INVERSION);
    /** The fields only one method has. */
    public static final Map<String, List<String>> METHOD_FIELDS = Map.of(
            LORA, List.of("networkDim", "networkAlpha", "loraTargets", "networkTrainUnetOnly",
                    "networkTrainTextEncoderOnly", "textEncoderLr", "unetLr"),
            DREAMBOOTH, List.of("instancePrompt", "classPrompt", "priorLossWeight", "numClassImages", "classDataset",
                    "trainTextEncoder"),
            TEXTUAL_INVERSION, List.of("token", "initToken", "numVectors"));
    /** The file name extension of every result. */
    public static final String OUTPUT_EXTENSION = ".safetensors";
    /** The store folder of trained LoRAs. */
    public static final String LORA_PREFIX = "loras/";
    /** The store folder of trained embeddings. */
    public static final String EMBEDDING_PREFIX = "embeddings/";
    /** The store folder of models, where a merge job puts its model too. */
    public static final String MODEL_PREFIX = "models/";
    /** diffusers' {@code train_dreambooth.py} learning rate: a whole UNet learns with a far smaller one than a LoRA. */
    public static final double DREAMBOOTH_LEARNING_RATE = 5e-6;
    /** diffusers' {@code get_scheduler} names, which kohya takes too. */
    public static final List<String> LR_SCHEDULERS = List.of("constant", "constant_with_warmup", "linear", "cosine",
            "cosine_with_restarts", "polynomial");

    /** How {@code dataset} starts when it names a prefix of the store rather than a folder. */
    public static final String STORED_DATASET = "store:";
    /** The part of the store stored datasets are under. */
    public static final String DATASETS_PREFIX = "datasets/";

    public TrainJob {
        Rules.ID.require("id", id);
        Rules.TRAIN_METHOD.require("method", method);
        Rules.NAME.require("model", model);
        Rules.DATASET.require("dataset", dataset);
        Rules.TRAIN_OUTPUT.require("output", output);
        Objects.requireNonNull(sweep, "sweep");
        Rules.TRAIN_BATCH.require("trainBatchSize", (long) trainBatchSize);
        Rules.ACCUMULATION.require("gradientAccumulationSteps", (long) gradientAccumulationSteps);
        Rules.MAX_GRAD_NORM.require("maxGradNorm", maxGradNorm);
        Rules.LR_SCHEDULER.require("lrScheduler", lrScheduler);
        Rules.WARMUP_STEPS.require("lrWarmupSteps", (long) lrWarmupSteps);
        Rules.RESOLUTION.require("resolution", (long) resolution);
        Rules.SEED.require("seed", seed);
        Rules.SAVE_EVERY.require("saveEvery", (long) saveEvery);
        loraTargets = List.copyOf(Objects.requireNonNull(loraTargets, "loraTargets"));
        for (int i = 0; i < loraTargets.size(); i++) {
            Rules.LORA_TARGET.require(FieldPath.index("loraTargets", i), loraTargets.get(i));
        }
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(loss, "loss");
        Objects.requireNonNull(samples, "samples");
        requireMethodFields(method, dreambooth.isPresent(), DREAMBOOTH, "dreambooth");
        requireMethodFields(method, textualInversion.isPresent(), TEXTUAL_INVERSION, "textualInversion");
        if (!method.equals(LORA) && (!loraTargets.isEmpty() || sweep.networkDim().size() > 1
                || sweep.networkAlpha().size() > 1)) {
            String field = loraTargets.isEmpty() ? "networkDim" : "loraTargets";
            throw new IllegalArgumentException(field + ": expected " + noFieldOf(method, field));
        }
        Objects.requireNonNull(network, "network");
        if (!method.equals(LORA) && !network.equals(LoraNetworkOptions.DEFAULTS)) {
            throw new IllegalArgumentException("network: expected " + noFieldOf(method, "networkTrainUnetOnly"));
        }
        checkSweep(Problems.THROWING, sweep, output, samples);
    }

    /** A job with kohya's default LoRA parts and rates ({@link LoraNetworkOptions#DEFAULTS}), without checkpointing. */
    public TrainJob(String id, String method, String model, String dataset, String output, TrainSweep sweep,
                    int trainBatchSize, int gradientAccumulationSteps, double maxGradNorm, String lrScheduler,
                    int lrWarmupSteps, int resolution, boolean shuffle, long seed, int saveEvery,
                    List<String> loraTargets, TrainDataOptions data, TrainLoss loss,
                    Optional<DreamBoothOptions> dreambooth, Optional<TextualInversionOptions> textualInversion,
                    TrainSamples samples) {
        this(id, method, model, dataset, output, sweep, trainBatchSize, gradientAccumulationSteps, maxGradNorm,
                lrScheduler, lrWarmupSteps, resolution, shuffle, seed, saveEvery, loraTargets, data, loss, dreambooth,
                textualInversion, samples, LoraNetworkOptions.DEFAULTS, false);
    }

    /** A LoRA job with kohya's defaults for every hyperparameter. */
    public static TrainJob lora(String id, String model, String dataset, String output) {
        return new TrainJob(id, LORA, model, dataset, output, TrainSweep.single(Defaults.LEARNING_RATE,
                Defaults.NETWORK_DIM, Defaults.NETWORK_ALPHA, Defaults.MAX_TRAIN_STEPS), Defaults.TRAIN_BATCH_SIZE,
                Defaults.GRADIENT_ACCUMULATION_STEPS, Defaults.MAX_GRAD_NORM, Defaults.LR_SCHEDULER,
                Defaults.LR_WARMUP_STEPS, Defaults.RESOLUTION, true, Defaults.TRAIN_SEED, 0, List.of(),
                TrainDataOptions.DEFAULTS, TrainLoss.DEFAULTS, Optional.empty(), Optional.empty(), TrainSamples.NONE);
    }

    /** What a job of {@code method} allows of {@code field}, a field of another method's: nothing. */
    static String noFieldOf(String method, String field) {
        String owner = METHOD_FIELDS.entrySet().stream().filter(e -> e.getValue().contains(field)).map(Map.Entry::getKey)
                .findFirst().orElse("another method");
        return "no " + field + " on a " + method + " job (only " + owner + " jobs have it)";
    }

    /** Reports a sweep without sample prompts for its grid, or whose output names would grow too long. */
    static void checkSweep(Problems problems, TrainSweep sweep, String output, TrainSamples samples) {
        if (sweep.isSweep() && !samples.any()) {
            problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, "samplePrompts", "[]",
                    "at least one prompt: a sweep ends with a grid of the sample prompts rendered by each of its "
                            + sweep.count() + " results"));
        }
        int longest = output.length() + (sweep.isSweep() ? 1 + sweep.longestLabel() : 0);
        if (longest > Limits.MAX_ID_LENGTH) {
            problems.report(ValidationError.of(ValidationError.Code.INVALID_VALUE, "output", Json.show(output),
                    "a name short enough that with a sweep's label it stays within " + Limits.MAX_ID_LENGTH
                            + " characters (the longest would have " + longest + ")"));
        }
    }

    private static void requireMethodFields(String method, boolean present, String owner, String component) {
        if (present != method.equals(owner)) {
            throw new IllegalArgumentException(component + ": expected " + (present ? "none" : "the " + owner
                    + " fields") + " on a " + method + " job");
        }
    }

    /**
     * One task of the job: one combination of the sweep.
     *
     * @param taskId        {@code t0000}, {@code t0001}, ... in {@link TrainSweep#combinations()} order
     * @param settings      the combination's values
     * @param outputName    {@code <output>}, or {@code <output>-<label>} in a sweep
     * @param outputKey     where its result is stored
     * @param parameterHash the SHA-256 of what decides its result
     */
    public record Run(String taskId, TrainSweep.Combination settings, String outputName, String outputKey,
                      String parameterHash) {
        /** The result's file name: {@code <outputName>.safetensors}. */
        public String outputFile() {
            return outputName + OUTPUT_EXTENSION;
        }
    }

    /** Every task of the job, one per combination of the sweep. */
    public List<Run> runs() {
        List<TrainSweep.Combination> combinations = sweep.combinations();
        List<Run> runs = new ArrayList<>(combinations.size());
        for (int i = 0; i < combinations.size(); i++) {
            TrainSweep.Combination c = combinations.get(i);
            String name = c.label().isEmpty() ? output : output + "-" + c.label();
            ObjectNode tree = parametersTree();
            writeSweep(tree, TrainSweep.single(c.learningRate(), c.networkDim(), c.networkAlpha(), c.maxTrainSteps()));
            tree.put("output", name);
            runs.add(new Run(Plan.taskId(i), c, name, outputPrefix() + name + OUTPUT_EXTENSION,
                    Sha256.hex(Json.canonical(tree).getBytes(StandardCharsets.UTF_8))));
        }
        return runs;
    }

    /** The store folder of this method's results: {@link #LORA_PREFIX}, {@link #EMBEDDING_PREFIX} or {@link #MODEL_PREFIX}. */
    public String outputPrefix() {
        return switch (method) {
            case LORA -> LORA_PREFIX;
            case TEXTUAL_INVERSION -> EMBEDDING_PREFIX;
            case DREAMBOOTH -> MODEL_PREFIX;
            default -> throw new IllegalStateException("method " + method + " passed the method rule");
        };
    }

    /** The key of sample {@code prompt} (from 0) rendered by task {@code taskId} after {@code step}. */
    public String sampleKey(long step, String taskId, int prompt) {
        return Plan.prefix(id) + String.format(Locale.ROOT, "samples/step-%06d/%s-p%02d.png", step, taskId, prompt);
    }

    /** The key of task {@code taskId}'s loss curve: {@code jobs/<id>/loss.png}, in a sweep {@code loss-<taskId>.png}. */
    public String lossPlotKey(String taskId) {
        return Plan.prefix(id) + (sweep.isSweep() ? "loss-" + taskId + ".png" : "loss.png");
    }

    /** The key of a sweep's grid: rows the combinations, columns the sample prompts, each rendered with its result. */
    public String sweepGridKey() {
        return Plan.prefix(id) + "sweep-grid.png";
    }

    /** The store prefix {@code dataset} names ({@code datasets/.../}), or empty when it names a local folder. */
    public Optional<String> storedDataset() {
        return dataset.startsWith(STORED_DATASET) ? Optional.of(dataset.substring(STORED_DATASET.length()))
                : Optional.empty();
    }

    /**
     * The store folder of the farm's class images for this DreamBooth job's prior preservation, shared by every job of
     * the same model, class prompt and resolution: {@code class-images/<model>/<first 16 hex digits of the SHA-256 of
     * the class prompt>/<resolution>px/}, holding {@code 0000.png}, {@code 0001.png}, ...; empty without a class prompt.
     */
    public Optional<String> classImagesPrefix() {
        return dreambooth.flatMap(DreamBoothOptions::classPrompt).map(prompt -> "class-images/" + model + "/"
                + Sha256.hex(prompt.getBytes(StandardCharsets.UTF_8)).substring(0, 16) + "/" + resolution + "px/");
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
        return sweep.count();
    }

    /**
     * What decides the job's results, as 64 lower-case hex digits: the SHA-256 of the canonical JSON (sorted, without
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
        writeSweep(node, sweep);
        node.put("trainBatchSize", trainBatchSize);
        node.put("gradientAccumulationSteps", gradientAccumulationSteps);
        node.put("maxGradNorm", maxGradNorm);
        node.put("lrScheduler", lrScheduler);
        node.put("lrWarmupSteps", lrWarmupSteps);
        node.put("resolution", resolution);
        node.put("shuffle", shuffle);
        node.put("seed", seed);
        node.put("saveEvery", saveEvery);
        if (gradientCheckpointing) {
            // written only when set: a job without it keeps its parameter hash
            node.put("gradientCheckpointing", true);
        }
        if (method.equals(LORA)) {
            ArrayNode targets = node.putArray("loraTargets");
            loraTargets.forEach(targets::add);
            network.write(node);
        }
        data.write(node);
        loss.write(node);
        dreambooth.ifPresent(options -> options.write(node));
        textualInversion.ifPresent(options -> options.write(node));
        samples.write(node);
        return node;
    }

    private void writeSweep(ObjectNode node, TrainSweep values) {
        values.write(node);
        if (!method.equals(LORA)) {
            // rank and alpha are a LoRA's own: another method's job does not name them
            node.remove(List.of("networkDim", "networkAlpha"));
        }
    }
}

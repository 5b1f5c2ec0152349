package dev.diffarm.engine.cli;

import dev.diffarm.api.Progress;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.train.CaptionedImages;
import dev.diffarm.engine.train.ClassImageRendering;
import dev.diffarm.engine.train.FineTuneRequest;
import dev.diffarm.engine.train.FineTuneRun;
import dev.diffarm.engine.train.LrSchedule;
import dev.diffarm.engine.train.NoiseObjective;
import dev.diffarm.engine.train.TrainingSettings;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code diffarm train}: fine-tunes a model on a folder of images, with kohya's and diffusers' option names. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Fine-tunes the model on a folder of images with captions (img.png + img.txt) by a fine-tune "
                + "plugin's method: lora writes a kohya LoRA .safetensors, dreambooth a single-file checkpoint, "
                + "textual-inversion an A1111 embedding .safetensors; diffarm, A1111 and ComfyUI load each.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--method", defaultValue = "lora", paramLabel = "METHOD",
            description = "The fine-tune method: lora, dreambooth or textual-inversion (default ${DEFAULT-VALUE}).")
    String method;

    @Mixin
    ModelOptions modelOptions;

    @Mixin
    PluginOptions pluginOptions;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "The images (PNG, JPEG, WebP) with their captions (img.png + img.txt), or kohya's "
                    + "<repeats>_<class tokens> folders of them (e.g. 10_zwx person).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "FILE",
            description = "The file to write (.safetensors): the LoRA, the checkpoint or the embedding.")
    Path out;

    @Option(names = "--network-dim", defaultValue = "4", paramLabel = "R", description = "lora: rank (default ${DEFAULT-VALUE}).")
    int networkDim;

    @Option(names = "--network-alpha", defaultValue = "1", paramLabel = "A",
            description = "lora: alpha; the update is scaled by alpha / rank (default ${DEFAULT-VALUE}).")
    float networkAlpha;

    @Option(names = "--network-weights", paramLabel = "FILE",
            description = "lora: start from this LoRA (kohya or diffusers layout) instead of a fresh one (default: none).")
    Path networkWeights;

    @Option(names = "--lora-targets", split = ",", paramLabel = "NAMES",
            description = "lora: the UNet layers to train, as peft's target_modules (e.g. to_q,to_k,to_v,to_out.0). "
                    + "Default: kohya's set, every linear layer of the UNet's transformer blocks.")
    List<String> loraTargets;

    @Option(names = "--network-train-unet-only",
            description = "lora: a fresh LoRA on the UNet only (default: the UNet and the text encoder, as kohya). "
                    + "With --network-weights the file's modules train, whatever they are on.")
    boolean networkTrainUnetOnly;

    @Option(names = "--network-train-text-encoder-only",
            description = "lora: a fresh LoRA on the text encoder only (its attention and MLP layers).")
    boolean networkTrainTextEncoderOnly;

    @Option(names = "--text-encoder-lr", paramLabel = "LR",
            description = "lora: base learning rate of the text encoder's modules (default: --learning-rate).")
    Double textEncoderLr;

    @Option(names = "--unet-lr", paramLabel = "LR",
            description = "lora: base learning rate of the UNet's modules (default: --learning-rate).")
    Double unetLr;

    @Option(names = "--instance-prompt", paramLabel = "TEXT",
            description = "dreambooth: the caption of every image of --data, e.g. 'a photo of zwx dog' "
                    + "(default: none, each image's .txt).")
    String instancePrompt;

    @Option(names = "--class-data", paramLabel = "DIR",
            description = "dreambooth (or lora): class images for prior preservation (default: none, no prior preservation).")
    Path classData;

    @Option(names = "--class-prompt", paramLabel = "TEXT",
            description = "The caption of every class image, e.g. 'a photo of a dog' (default: none; needed with --class-data).")
    String classPrompt;

    @Option(names = "--num-class-images", defaultValue = "100", paramLabel = "N",
            description = "Class images to use; if --class-data holds fewer, the base model renders the missing ones "
                    + "into it first (DDIM, 50 steps, CFG 7.5, seed + i) (default ${DEFAULT-VALUE}).")
    int numClassImages;

    @Option(names = "--prior-loss-weight", defaultValue = "1.0", paramLabel = "W",
            description = "Weight of the class images' loss (default ${DEFAULT-VALUE}).")
    double priorLossWeight;

    @Option(names = "--train-text-encoder",
            description = "dreambooth: train the text encoder in full with the UNet and save it in the checkpoint "
                    + "(diffusers' --train_text_encoder; default: frozen).")
    boolean trainTextEncoder;

    @Option(names = "--token", paramLabel = "TOKEN",
            description = "textual-inversion: the new token, e.g. \"<zwx>\" (default: none; required).")
    String token;

    @Option(names = "--init-token", paramLabel = "WORD",
            description = "textual-inversion: the word whose embedding the token starts from, e.g. person "
                    + "(default: none; required).")
    String initToken;

    @Option(names = "--num-vectors", defaultValue = "1", paramLabel = "N",
            description = "textual-inversion: embedding vectors of the token (default ${DEFAULT-VALUE}).")
    int numVectors;

    @Option(names = "--learning-rate", defaultValue = "1e-4", paramLabel = "LR", description = "Base learning rate (default ${DEFAULT-VALUE}).")
    double learningRate;

    @Option(names = "--lr-scheduler", defaultValue = "constant", paramLabel = "NAME",
            description = "constant, constant_with_warmup, linear, cosine, cosine_with_restarts or polynomial (default ${DEFAULT-VALUE}).")
    String lrScheduler;

    @Option(names = "--lr-warmup-steps", defaultValue = "0", paramLabel = "N", description = "Warm-up steps (default ${DEFAULT-VALUE}).")
    int lrWarmupSteps;

    @Option(names = "--max-train-steps", defaultValue = "1600", paramLabel = "N", description = "Optimizer steps (default ${DEFAULT-VALUE}).")
    int maxTrainSteps;

    @Option(names = "--train-batch-size", defaultValue = "1", paramLabel = "N", description = "Images per micro-batch (default ${DEFAULT-VALUE}).")
    int trainBatchSize;

    @Option(names = "--gradient-accumulation-steps", defaultValue = "1", paramLabel = "N",
            description = "Micro-batches per optimizer step (default ${DEFAULT-VALUE}).")
    int gradientAccumulationSteps;

    @Option(names = "--max-grad-norm", defaultValue = "1.0", paramLabel = "X",
            description = "Clip the gradients' total norm to this; 0 for no clipping (default ${DEFAULT-VALUE}).")
    double maxGradNorm;

    @Option(names = "--seed", defaultValue = "42", paramLabel = "N",
            description = "Seed of the run's one generator: posterior samples, noise, timesteps, data order (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-shuffle", description = "Take the images in name order every epoch.")
    boolean noShuffle;

    @Option(names = "--cache-latents",
            description = "Encode every image (and its mirror image with --flip-aug) once before training (always done).")
    boolean cacheLatents;

    @Mixin
    TrainDataOptions dataOptions;

    @Option(names = "--v-parameterization", description = "The model predicts v (SD 2.x 768) rather than the noise.")
    boolean vParameterization;

    @Option(names = "--min-snr-gamma", paramLabel = "G", description = "Min-SNR-gamma loss weighting (e.g. 5).")
    Double minSnrGamma;

    @Option(names = "--noise-offset", defaultValue = "0", paramLabel = "X", description = "Noise offset scale (default ${DEFAULT-VALUE}).")
    double noiseOffset;

    @Option(names = "--gradient-checkpointing",
            description = "Recompute the UNet's activations in the backward pass instead of keeping them: less memory, "
                    + "more time, the same result (kohya's and diffusers' --gradient_checkpointing).")
    boolean gradientCheckpointing;

    @Option(names = "--save-every", defaultValue = "0", paramLabel = "N",
            description = "Every N steps save OUT-stepNNNNNN.safetensors (with --save-state: the training state instead).")
    int saveEvery;

    @Option(names = "--save-state",
            description = "With --save-every, save the whole training state of every N-th step and of the last to OUT.state/step-NNNNNN/.")
    boolean saveState;

    @Option(names = "--resume", paramLabel = "DIR", description = "Continue a run from OUT.state/step-NNNNNN.")
    Path resume;

    @Option(names = "--base-model-version", defaultValue = "sd_v1", paramLabel = "NAME",
            description = "ss_base_model_version recorded in the file (default ${DEFAULT-VALUE}).")
    String baseModelVersion;

    @Override
    public Integer call() throws Exception {
        TrainingSettings settings = new TrainingSettings(learningRate, LrSchedule.named(lrScheduler), lrWarmupSteps,
                maxTrainSteps, trainBatchSize, gradientAccumulationSteps, maxGradNorm, seed, !noShuffle,
                vParameterization ? NoiseObjective.Prediction.V_PREDICTION : NoiseObjective.Prediction.EPSILON,
                minSnrGamma == null ? OptionalDouble.empty() : OptionalDouble.of(minSnrGamma), noiseOffset,
                gradientCheckpointing);
        FineTuneRequest request = new FineTuneRequest(method, methodOptions(), data, Optional.ofNullable(instancePrompt),
                classImages(), settings, out, saveEvery, saveState, Optional.ofNullable(resume), baseModelVersion,
                dataOptions.toOptions());
        TrainingProgressLine progress = new TrainingProgressLine(System.out, maxTrainSteps);
        try (SamplerPlugins plugins = pluginOptions.open(); StableDiffusion model = modelOptions.load()) {
            if (request.classImages().isPresent()) {
                renderMissingClassImages(model, plugins, request.classImages().get());
            }
            FineTuneRun.run(model, plugins.fineTuneMethods(), request, progress, (step, folder) -> { });
        }
        System.out.println("wrote " + out);
        return 0;
    }

    /** diffusers' script's first part: class images the folder lacks, rendered at the instance images' size. */
    private void renderMissingClassImages(StableDiffusion model, SamplerPlugins plugins,
                                          FineTuneRequest.ClassImages classes) throws java.io.IOException {
        RgbImage first = CaptionedImages.read(data, Optional.of("size")).get(0).image();
        int rendered = ClassImageRendering.fillUp(model, new Generator(plugins), classes, first.width(), first.height(),
                seed, Progress.NONE);
        if (rendered > 0) {
            System.out.println("rendered " + rendered + " class images of '" + classes.prompt() + "' into "
                    + classes.folder());
        }
    }

    /** The options the method plugins read, by their names here without the dashes. */
    private MethodOptions methodOptions() {
        Map<String, String> options = new HashMap<>();
        options.put("network-dim", Integer.toString(networkDim));
        options.put("network-alpha", Float.toString(networkAlpha));
        if (networkWeights != null) {
            options.put("network-weights", networkWeights.toString());
        }
        if (loraTargets != null) {
            options.put("lora-targets", String.join(",", loraTargets));
        }
        if (networkTrainUnetOnly) {
            options.put("network-train-unet-only", "true");
        }
        if (networkTrainTextEncoderOnly) {
            options.put("network-train-text-encoder-only", "true");
        }
        if (textEncoderLr != null) {
            options.put("text-encoder-lr", Double.toString(textEncoderLr));
        }
        if (unetLr != null) {
            options.put("unet-lr", Double.toString(unetLr));
        }
        options.put("prior-loss-weight", Double.toString(priorLossWeight));
        if (trainTextEncoder) {
            options.put("train-text-encoder", "true");
        }
        if (token != null) {
            options.put("token", token);
        }
        if (initToken != null) {
            options.put("init-token", initToken);
        }
        options.put("num-vectors", Integer.toString(numVectors));
        return new MethodOptions(options);
    }

    private Optional<FineTuneRequest.ClassImages> classImages() {
        if (classData == null) {
            if (classPrompt != null) {
                throw new IllegalArgumentException("--class-prompt: given without --class-data");
            }
            return Optional.empty();
        }
        if (method.equals("textual-inversion")) {
            throw new IllegalArgumentException("--class-data: textual-inversion trains no prior preservation");
        }
        if (classPrompt == null) {
            throw new IllegalArgumentException("--class-prompt: --class-data needs the class images' caption, e.g. "
                    + "'a photo of a dog'");
        }
        if (numClassImages < 1) {
            throw new IllegalArgumentException("--num-class-images: expected at least 1, got " + numClassImages);
        }
        return Optional.of(new FineTuneRequest.ClassImages(classData, classPrompt, numClassImages));
    }
}

package dev.diffarm.engine.cli;

import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.train.LoraTargetModules;
import dev.diffarm.engine.train.LoraTrainingRun;
import dev.diffarm.engine.train.LrSchedule;
import dev.diffarm.engine.train.NoiseObjective;
import dev.diffarm.engine.train.TrainingSettings;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code diffarm train}: fine-tunes a model on a folder of captioned images, with kohya's option names. */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Trains a LoRA on a folder of images with captions (img.png + img.txt) and writes it as a kohya "
                + "LoRA .safetensors that diffarm, A1111 and ComfyUI load.")
final class TrainCommand implements Callable<Integer> {
    @Option(names = "--method", defaultValue = "lora", paramLabel = "METHOD",
            description = "The fine-tune method: lora (dreambooth and textual-inversion are not available yet).")
    String method;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", required = true, paramLabel = "DIR",
            description = "The images (PNG, JPEG, WebP) with their captions (img.png + img.txt), or kohya's "
                    + "<repeats>_<class tokens> folders of them (e.g. 10_zwx person).")
    Path data;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The LoRA file to write (.safetensors).")
    Path out;

    @Option(names = "--network-dim", defaultValue = "4", paramLabel = "R", description = "LoRA rank (default ${DEFAULT-VALUE}).")
    int networkDim;

    @Option(names = "--network-alpha", defaultValue = "1", paramLabel = "A",
            description = "LoRA alpha; the update is scaled by alpha / rank (default ${DEFAULT-VALUE}).")
    float networkAlpha;

    @Option(names = "--network-weights", paramLabel = "FILE",
            description = "Start from this LoRA (kohya or diffusers layout) instead of a fresh one.")
    Path networkWeights;

    @Option(names = "--lora-targets", split = ",", paramLabel = "NAMES",
            description = "The UNet layers to train, as peft's target_modules (e.g. to_q,to_k,to_v,to_out.0). "
                    + "Default: kohya's set, every linear layer of the UNet's transformer blocks.")
    List<String> loraTargets;

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
        if (!method.equals("lora")) {
            throw new IllegalArgumentException("--method: '" + method + "' is not available; expected lora");
        }
        TrainingSettings settings = new TrainingSettings(learningRate, LrSchedule.named(lrScheduler), lrWarmupSteps,
                maxTrainSteps, trainBatchSize, gradientAccumulationSteps, maxGradNorm, seed, !noShuffle,
                vParameterization ? NoiseObjective.Prediction.V_PREDICTION : NoiseObjective.Prediction.EPSILON,
                minSnrGamma == null ? OptionalDouble.empty() : OptionalDouble.of(minSnrGamma), noiseOffset);
        LoraTargetModules targets = loraTargets == null ? LoraTargetModules.kohyaDefault() : LoraTargetModules.peft(loraTargets);
        LoraTrainingRun.Request request = new LoraTrainingRun.Request(data, Optional.ofNullable(networkWeights), targets,
                networkDim, networkAlpha, settings, out, saveEvery, saveState, Optional.ofNullable(resume), baseModelVersion,
                dataOptions.toOptions());
        TrainingProgressLine progress = new TrainingProgressLine(System.out, maxTrainSteps);
        try (StableDiffusion model = modelOptions.load()) {
            LoraTrainingRun.run(model, request, progress);
        }
        System.out.println("wrote " + out);
        return 0;
    }
}

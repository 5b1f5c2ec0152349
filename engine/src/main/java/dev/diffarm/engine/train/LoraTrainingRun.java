package dev.diffarm.engine.train;

import dev.diffarm.api.finetune.LoraParts;
import dev.diffarm.api.finetune.MethodOptions;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.train.data.KohyaDataOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A LoRA run as the farm's train jobs start it: a {@link FineTuneRun} of the {@code lora} plugin, with the LoRA's
 * settings as fields rather than method options.
 */
public final class LoraTrainingRun {
    private LoraTrainingRun() {
    }

    /**
     * What to train.
     *
     * @param data             the folder of images and captions
     * @param networkWeights   a LoRA to start from (kohya's {@code --network_weights}), else a fresh one
     * @param targets          the layers a fresh LoRA trains
     * @param networkDim       a fresh LoRA's rank
     * @param networkAlpha     a fresh LoRA's alpha
     * @param settings         the hyperparameters
     * @param out              the LoRA file to write
     * @param saveEvery        save every this many steps (0: only at the end)
     * @param saveState        save the whole training state ({@code OUT.state/step-NNNNNN}) instead of a LoRA file
     * @param resume           a saved state to continue from
     * @param baseModelVersion {@code ss_base_model_version}
     * @param dataOptions      kohya's data options (resolution, buckets, flip, caption rules)
     */
    public record Request(Path data, Optional<Path> networkWeights, LoraTargetModules targets, int networkDim,
                          float networkAlpha, TrainingSettings settings, Path out, int saveEvery, boolean saveState,
                          Optional<Path> resume, String baseModelVersion, KohyaDataOptions dataOptions,
                          LoraParts parts) {
        public Request {
            if (saveEvery < 0) {
                throw new IllegalArgumentException("saveEvery: expected 0 or more steps, got " + saveEvery);
            }
        }

        /**
         * A request with kohya's default data options (every image at its own size, captions as written) and its
         * default parts (the text encoder's and the UNet's layers).
         */
        public Request(Path data, Optional<Path> networkWeights, LoraTargetModules targets, int networkDim,
                       float networkAlpha, TrainingSettings settings, Path out, int saveEvery, boolean saveState,
                       Optional<Path> resume, String baseModelVersion) {
            this(data, networkWeights, targets, networkDim, networkAlpha, settings, out, saveEvery, saveState, resume,
                    baseModelVersion, KohyaDataOptions.DEFAULTS, LoraParts.UNET_AND_TEXT_ENCODER);
        }

        /** Where {@code --save-state} writes: {@code OUT.state}. */
        public Path stateRoot() {
            return out.resolveSibling(out.getFileName() + ".state");
        }

        /** The same run as a request for the {@code lora} method. */
        FineTuneRequest asFineTune() {
            Map<String, String> options = new HashMap<>();
            networkWeights.ifPresent(w -> options.put("network-weights", w.toString()));
            options.put("network-dim", Integer.toString(networkDim));
            options.put("network-alpha", Float.toString(networkAlpha));
            targets.peftNames().ifPresent(names -> options.put("lora-targets", String.join(",", names)));
            switch (parts) {
                case UNET -> options.put("network-train-unet-only", "true");
                case TEXT_ENCODER -> options.put("network-train-text-encoder-only", "true");
                case UNET_AND_TEXT_ENCODER -> { }
            }
            return new FineTuneRequest("lora", new MethodOptions(options), data, Optional.empty(), Optional.empty(),
                    settings, out, saveEvery, saveState, resume, baseModelVersion, dataOptions);
        }
    }

    /** Told of each training state as soon as it is saved ({@link Request#saveState()}), e.g. to keep a copy elsewhere. */
    @FunctionalInterface
    public interface StateSaved extends FineTuneRun.StateSaved {
    }

    /** Trains as {@link #run(StableDiffusion, Request, Consumer, StateSaved)}, keeping no saved state elsewhere. */
    public static void run(StableDiffusion model, Request request, Consumer<StepReport> progress) throws IOException {
        run(model, request, progress, (step, folder) -> { });
    }

    /**
     * Trains as {@link #run(StableDiffusion, FineTuneMethods, Request, Consumer, StateSaved)} with the {@code lora}
     * plugin of the default plugins directory ({@link SamplerPlugins#directory}).
     */
    public static void run(StableDiffusion model, Request request, Consumer<StepReport> progress,
                           StateSaved stateSaved) throws IOException {
        try (SamplerPlugins plugins = new SamplerPlugins(SamplerPlugins.directory(Optional.empty()))) {
            run(model, plugins.fineTuneMethods(), request, progress, stateSaved);
        }
    }

    /**
     * Trains with the {@code lora} method of {@code methods}, tells {@code stateSaved} of each saved state, and writes
     * the LoRA to {@code request.out()}. An exception thrown by {@code progress} (a cancellation) ends the run between
     * steps.
     */
    public static void run(StableDiffusion model, FineTuneMethods methods, Request request,
                           Consumer<StepReport> progress, StateSaved stateSaved) throws IOException {
        FineTuneRun.run(model, methods, request.asFineTune(), progress, stateSaved);
    }
}

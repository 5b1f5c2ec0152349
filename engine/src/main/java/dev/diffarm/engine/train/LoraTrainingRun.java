package dev.diffarm.engine.train;

import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.lora.LoraWeights;
import dev.diffarm.engine.nn.Autograd;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.schedule.TrainingSchedule;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A whole LoRA training run from a folder of captioned images to a kohya LoRA file, as the CLI and the farm start it.
 *
 * <p>Draw order, one {@link TorchGenerator} seeded with {@code seed}: the VAE posterior draws of all images
 * ({@code randn([n, 4, h, w])}); then, for a LoRA that starts fresh, each module's A in the UNet's layer order; then
 * per micro-batch (with shuffling, each epoch's order first) the noise, the noise offset if any, and the timesteps. A
 * resumed run redraws the posterior (the same values) and then continues the generator from its saved state.
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
     */
    public record Request(Path data, Optional<Path> networkWeights, LoraTargetModules targets, int networkDim,
                          float networkAlpha, TrainingSettings settings, Path out, int saveEvery, boolean saveState,
                          Optional<Path> resume, String baseModelVersion) {
        public Request {
            if (saveEvery < 0) {
                throw new IllegalArgumentException("saveEvery: expected 0 or more steps, got " + saveEvery);
            }
        }

        /** Where {@code --save-state} writes: {@code OUT.state}. */
        public Path stateRoot() {
            return out.resolveSibling(out.getFileName() + ".state");
        }

        String outputName() {
            String file = out.getFileName().toString();
            return file.endsWith(".safetensors") ? file.substring(0, file.length() - ".safetensors".length()) : file;
        }
    }

    /** Told of each training state as soon as it is saved ({@link Request#saveState()}), e.g. to keep a copy elsewhere. */
    @FunctionalInterface
    public interface StateSaved {
        /** The state after {@code step} is complete in {@code folder} (a {@code step-NNNNNN} folder). */
        void saved(long step, Path folder) throws IOException;
    }

    /** The LoRA as it is after the step just reported, written on request (to render samples with it). */
    @FunctionalInterface
    public interface Snapshot {
        /** Writes the current LoRA to {@code file} in kohya's format, as the run's output will be. */
        void write(Path file) throws IOException;
    }

    /** Told of each step as it ends, with the LoRA of that step at hand. */
    @FunctionalInterface
    public interface StepListener {
        /** Step {@code report} is done; {@code current} writes the LoRA it left, if asked to before this returns. */
        void stepped(StepReport report, Snapshot current) throws IOException;
    }

    /** Trains, reporting every step to {@code progress}, and writes the LoRA to {@code request.out()}. */
    public static void run(StableDiffusion model, Request request, Consumer<StepReport> progress) throws IOException {
        run(model, request, progress, (step, folder) -> { });
    }

    /**
     * Trains as {@link #run(StableDiffusion, Request, Consumer)} and tells {@code stateSaved} of each saved state. An
     * exception thrown by {@code progress} (a cancellation) ends the run between steps.
     */
    public static void run(StableDiffusion model, Request request, Consumer<StepReport> progress,
                           StateSaved stateSaved) throws IOException {
        run(model, request, (report, current) -> progress.accept(report), stateSaved);
    }

    /**
     * Trains as {@link #run(StableDiffusion, Request, Consumer, StateSaved)}, telling {@code steps} of each step with a
     * {@link Snapshot} of the LoRA (the farm renders its samples with it). Writing a snapshot reads the LoRA only: the
     * run goes on exactly as without it.
     */
    public static void run(StableDiffusion model, Request request, StepListener steps, StateSaved stateSaved)
            throws IOException {
        Autograd.offForThisThread();
        TrainingSettings settings = request.settings();
        List<CaptionedImages.Example> examples = CaptionedImages.read(request.data());
        TrainingSchedule schedule = TrainingSchedule.of(model.schedulerConfig("DDPMScheduler", Map.of()));
        TorchGenerator generator = new TorchGenerator(settings.seed());
        Draws draws = Draws.of(generator);
        try (NDManager manager = NDManager.newBaseManager()) {
            EncodedExamples encoded = EncodedExamples.encode(model, examples, draws, manager);
            Optional<TrainingState.Saved> saved = request.resume().map(folder -> TrainingState.read(folder, manager));
            if (saved.isPresent() && saved.get().seed() != settings.seed()) {
                throw new IllegalArgumentException("resume: the state was saved by a run with seed " + saved.get().seed()
                        + ", this run has seed " + settings.seed());
            }
            NoiseObjective objective = new NoiseObjective(settings.prediction(), settings.snrGamma(),
                    schedule.alphasCumprod());
            try (LoraNetwork lora = network(model, request, saved, generator, manager);
                 LoraTrainer trainer = new LoraTrainer(model.unet(), lora, encoded, settings, objective, draws,
                         schedule.size(), manager)) {
                saved.ifPresent(s -> {
                    trainer.optimizer().restore(s.adamSteps(), s.adamM(), s.adamV());
                    trainer.order().restore(s.cursor());
                    trainer.resumeAt(s.step());
                    generator.restore(s.generator());
                });
                KohyaLoraFile.Description description = new KohyaLoraFile.Description(request.outputName(),
                        request.baseModelVersion(), settings,
                        Map.of(request.data().getFileName().toString(),
                                KohyaLoraFile.tagFrequency(examples.stream().map(CaptionedImages.Example::caption).toList())),
                        examples.size());
                while (!trainer.finished()) {
                    StepReport report = trainer.step();
                    steps.stepped(report, file -> KohyaLoraFile.write(lora, description, file));
                    boolean due = request.saveEvery() > 0 && report.step() % request.saveEvery() == 0;
                    if (due || (request.saveState() && trainer.finished())) {
                        save(request, trainer, generator, lora, description, report.step(), stateSaved);
                    }
                }
                KohyaLoraFile.write(lora, description, request.out());
            }
        }
    }

    private static LoraNetwork network(StableDiffusion model, Request request, Optional<TrainingState.Saved> saved,
                                       TorchGenerator generator, NDManager manager) {
        if (saved.isPresent()) {
            return LoraNetwork.of(model.unetLayers(), saved.get().lora(), manager);
        }
        if (request.networkWeights().isPresent()) {
            try (LoraWeights start = LoraWeights.read(request.networkWeights().get())) {
                return LoraNetwork.fromFile(model.unetLayers(), start, manager);
            }
        }
        return LoraNetwork.create(model.unetLayers(), request.targets(), request.networkDim(), request.networkAlpha(),
                generator, manager);
    }

    private static void save(Request request, LoraTrainer trainer, TorchGenerator generator, LoraNetwork lora,
                             KohyaLoraFile.Description description, long step, StateSaved stateSaved)
            throws IOException {
        if (request.saveState()) {
            Path folder = TrainingState.folder(request.stateRoot(), step);
            TrainingState.save(trainer, generator, request.settings().seed(), folder);
            stateSaved.saved(step, folder);
        } else {
            Path file = request.out().resolveSibling(String.format("%s-step%06d.safetensors", request.outputName(), step));
            KohyaLoraFile.write(lora, description, file);
        }
    }
}

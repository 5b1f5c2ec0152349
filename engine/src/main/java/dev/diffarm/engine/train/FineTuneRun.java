package dev.diffarm.engine.train;

import ai.djl.ndarray.NDManager;
import dev.diffarm.api.finetune.FineTuneMethod;
import dev.diffarm.api.finetune.Training;
import dev.diffarm.engine.device.Precision;
import dev.diffarm.engine.nn.Autograd;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.schedule.TrainingSchedule;
import dev.diffarm.engine.unet.CheckpointedForward;
import dev.diffarm.engine.train.data.KohyaDataOptions;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * A whole fine-tune run from a folder of images to the method's result file, as the CLI and the farm start it, for
 * every method: the data, the method's trained arrays and the {@link FineTuneLoop}, saved states and resume.
 *
 * <p>Draw order, one {@link TorchGenerator} seeded with {@code seed}: the VAE posterior draws of all instance images
 * ({@code randn([n, 4, h, w])}), then those of the class images if any; then whatever the method draws when it starts
 * (a fresh LoRA: each module's A in the UNet's layer order); then per micro-batch (with shuffling, each epoch's order
 * first) the noise, the noise offset if any, and the timesteps. A resumed run redraws the posterior (the same values)
 * and then continues the generator from its saved state.
 */
public final class FineTuneRun {
    private FineTuneRun() {
    }

    /** Told of each training state as soon as it is saved ({@link FineTuneRequest#saveState()}), e.g. to keep a copy. */
    @FunctionalInterface
    public interface StateSaved {
        /** The state after {@code step} is complete in {@code folder} (a {@code step-NNNNNN} folder). */
        void saved(long step, Path folder) throws IOException;
    }

    /** The result as it is after the step just reported, written on request (the farm renders samples with it). */
    @FunctionalInterface
    public interface Snapshot {
        /** Writes the current result to {@code file} in the method's format, as the run's output will be. */
        void write(Path file) throws IOException;
    }

    /** Told of each step as it ends, with the result of that step at hand. */
    @FunctionalInterface
    public interface StepListener {
        /** Step {@code report} is done; {@code current} writes the result it left, if asked to before this returns. */
        void stepped(StepReport report, Snapshot current) throws IOException;
    }

    /**
     * Trains, reporting every step to {@code progress}, tells {@code stateSaved} of each saved state, and writes the
     * result to {@code request.out()}. An exception thrown by {@code progress} (a cancellation) ends the run between
     * steps.
     */
    public static void run(StableDiffusion model, FineTuneMethods methods, FineTuneRequest request,
                           Consumer<StepReport> progress, StateSaved stateSaved) throws IOException {
        run(model, methods, request, (report, current) -> progress.accept(report), stateSaved);
    }

    /**
     * Trains as {@link #run(StableDiffusion, FineTuneMethods, FineTuneRequest, Consumer, StateSaved)}, telling
     * {@code steps} of each step with a {@link Snapshot} of the result. Writing a snapshot only reads the trained
     * arrays: the run goes on exactly as without it. It runs on the model's device.
     *
     * @throws IllegalArgumentException for a model not loaded in fp32
     */
    public static void run(StableDiffusion model, FineTuneMethods methods, FineTuneRequest request, StepListener steps,
                           StateSaved stateSaved) throws IOException {
        if (model.placement().precision() != Precision.FP32) {
            throw new IllegalArgumentException("training " + model.name() + ": the model is loaded in "
                    + model.placement() + "; training computes its gradients in fp32: load it with precision fp32");
        }
        FineTuneMethod method = methods.named(request.method());
        Autograd.offForThisThread();
        TrainingSettings settings = request.settings();
        TrainingSchedule schedule = TrainingSchedule.of(model.schedulerConfig("DDPMScheduler", Map.of()));
        TorchGenerator generator = new TorchGenerator(settings.seed());
        Draws draws = Draws.of(generator);
        Optional<TrainingState.Saved> saved = request.resume().map(TrainingState::read);
        if (saved.isPresent() && saved.get().seed() != settings.seed()) {
            throw new IllegalArgumentException("resume: the state was saved by a run with seed " + saved.get().seed()
                    + ", this run has seed " + settings.seed());
        }
        if (saved.isPresent() && !request.method().equals(saved.get().method())) {
            throw new IllegalArgumentException("resume: the state was saved by a " + saved.get().method()
                    + " run, this run is " + request.method());
        }
        try (NDManager manager = model.newManager();
             TrainingExamples examples = examples(model, request, draws, manager)) {
            NoiseObjective objective = new NoiseObjective(settings.prediction(), settings.snrGamma(),
                    schedule.alphasCumprod());
            Optional<CheckpointedForward> checkpoints = settings.gradientCheckpointing()
                    ? Optional.of(new CheckpointedForward()) : Optional.empty();
            try (Training training = method.start(new HostModel(model, generator, manager, checkpoints),
                    request.options(), manager);
                 FineTuneLoop loop = new FineTuneLoop(training, examples, request.classImages().isPresent(), settings,
                         objective, draws, schedule.size(), manager, checkpoints)) {
                saved.ifPresent(s -> {
                    loop.restore(s);
                    generator.restore(s.generator());
                });
                Map<String, String> metadata = new KohyaLoraFile.Description(request.outputName(),
                        request.baseModelVersion(), settings, examples.tagFrequency(), examples.trainImages()).metadata();
                while (!loop.finished()) {
                    StepReport report = loop.step();
                    steps.stepped(report, file -> training.save(file, metadata));
                    boolean due = request.saveEvery() > 0 && report.step() % request.saveEvery() == 0;
                    if (due || (request.saveState() && loop.finished())) {
                        save(request, loop, training, generator, metadata, report.step(), stateSaved);
                    }
                }
                training.save(request.out(), metadata);
            }
        }
    }

    /**
     * A folder of captioned images through kohya's pipeline ({@link KohyaDataOptions}); DreamBooth's instance images
     * under one prompt, with class images the two in DreamBooth's batch order.
     */
    static TrainingExamples examples(StableDiffusion model, FineTuneRequest request, Draws draws, NDManager manager)
            throws IOException {
        boolean shuffle = request.settings().shuffle();
        if (request.instancePrompt().isEmpty() && request.classImages().isEmpty()) {
            return request.dataOptions().examples(request.data(), List.of(request.data()),
                    request.settings().trainBatchSize(), shuffle, request.settings().seed(), model.vae(), draws, manager);
        }
        List<CaptionedImages.Example> instances = CaptionedImages.read(request.data(), request.instancePrompt());
        CachedExamples instanceExamples = CachedExamples.encode(model, request.data().getFileName().toString(), instances,
                shuffle, draws, manager);
        if (request.classImages().isEmpty()) {
            return instanceExamples;
        }
        FineTuneRequest.ClassImages c = request.classImages().get();
        List<CaptionedImages.Example> classes = CaptionedImages.read(c.folder(), Optional.of(c.prompt()));
        if (classes.size() < c.count()) {
            throw new IllegalArgumentException("numClassImages: " + c.folder() + " holds " + classes.size()
                    + " class images, " + c.count() + " asked for");
        }
        classes = classes.subList(0, c.count());
        if (classes.get(0).image().width() != instances.get(0).image().width()
                || classes.get(0).image().height() != instances.get(0).image().height()) {
            throw new IllegalArgumentException("classData: the class images are " + classes.get(0).image().width() + "x"
                    + classes.get(0).image().height() + ", the instance images " + instances.get(0).image().width()
                    + "x" + instances.get(0).image().height() + "; without buckets they must have the same size");
        }
        CachedExamples classExamples = CachedExamples.encode(model, c.folder().getFileName().toString(), classes,
                shuffle, draws, manager);
        return new PriorPreservationExamples(instanceExamples, classExamples);
    }

    private static void save(FineTuneRequest request, FineTuneLoop loop, Training training, TorchGenerator generator,
                             Map<String, String> metadata, long step, StateSaved stateSaved) throws IOException {
        if (request.saveState()) {
            Path folder = TrainingState.folder(request.stateRoot(), step);
            TrainingState.save(loop, generator, request.settings().seed(), request.method(), folder);
            stateSaved.saved(step, folder);
        } else {
            training.save(request.out().resolveSibling(String.format("%s-step%06d.safetensors", request.outputName(),
                    step)), metadata);
        }
    }
}

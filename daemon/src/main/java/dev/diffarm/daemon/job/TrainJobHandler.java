package dev.diffarm.daemon.job;

import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.engine.train.LoraTargetModules;
import dev.diffarm.engine.train.LoraTrainingRun;
import dev.diffarm.engine.train.LrSchedule;
import dev.diffarm.engine.train.NoiseObjective;
import dev.diffarm.engine.train.TrainingSettings;
import dev.diffarm.engine.train.TrainingPace;
import dev.diffarm.engine.train.TrainingState;
import dev.diffarm.farm.config.EventError;
import dev.diffarm.farm.config.TrainJob;
import dev.diffarm.farm.config.TrainingFigures;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.stream.Stream;

/**
 * Train jobs: one task, {@value TrainJob#TASK_ID}, which trains a LoRA with the engine's {@link LoraTrainingRun} on the
 * model the render path has loaded ({@link ModelCache}), one progress step per optimizer step. Every
 * {@code saveEvery} steps, and after the last, the whole training state goes to the task's own keys
 * ({@link TaskRun#state}); a job delivered again starts from the last state saved. The LoRA is stored under
 * {@link TrainJob#loraKey()} and put in the node's LoRA folder, so that render jobs name it at once.
 */
final class TrainJobHandler implements JobHandler<TrainJob> {
    /** Two states: a save cut short by a crash leaves the one before. */
    static final int STATES_KEPT = 2;
    /** What the LoRA's {@code ss_base_model_version} says; the farm trains SD 1.x-layout models so far. */
    private static final String BASE_MODEL_VERSION = "sd_v1";
    private static final String FAILED = "train-failed";

    private final ModelCache models;
    private final OutputStore store;
    private final Path datasetsDir;
    private final Path loraDir;

    /**
     * @param datasetsDir the root a job's {@code dataset} names a folder of
     * @param loraDir     the node's LoRA folder, where the trained LoRA goes for render jobs
     */
    TrainJobHandler(ModelCache models, OutputStore store, Path datasetsDir, Path loraDir) {
        this.models = models;
        this.store = store;
        this.datasetsDir = datasetsDir.toAbsolutePath().normalize();
        this.loraDir = loraDir;
    }

    @Override
    public JobWork plan(TrainJob job) {
        return () -> List.of(new TrainTask(job));
    }

    /** It tells while it runs whether the LoRA is made: a last saved state of the last step means it is. */
    private final class TrainTask extends SoleTask {
        private final TrainJob job;

        TrainTask(TrainJob job) {
            super(TrainJob.TASK_ID, job.loraKey(), job.parameterHash());
            this.job = job;
        }

        @Override
        public Outcome run(TaskRun run) {
            Path data = dataset();
            TaskState states = run.state(STATES_KEPT);
            Optional<SavedState> last = states.latest();
            Path work = temporaryFolder();
            try {
                Optional<Path> resume = last.map(state -> download(state, work));
                Path out = work.resolve(job.outputFile());
                LoraTrainingRun.Request request = new LoraTrainingRun.Request(data, Optional.empty(), targets(),
                        job.networkDim(), (float) job.networkAlpha(), settings(), out, job.saveEvery(), true, resume,
                        BASE_MODEL_VERSION);
                TrainingPace pace = new TrainingPace(job.maxTrainSteps(), System::nanoTime);
                LoraTrainingRun.run(lease(), request, report -> {
                    report(run, pace.next(report));
                    run.checkCancelled("after step " + report.step() + " of " + job.maxTrainSteps());
                }, (step, folder) -> upload(states, step, folder));
                store.put(job.loraKey(), out, ObjectMetadata.of("application/octet-stream"));
                install(out);
                return last.filter(state -> state.step() >= job.maxTrainSteps()).isPresent()
                        ? Outcome.FOUND_MADE : Outcome.MADE;
            } catch (IllegalArgumentException e) {
                throw failure(e);
            } catch (IOException e) {
                throw new TaskFailure(new EventError(FAILED, "training " + job.id() + " failed: " + e), e);
            } finally {
                delete(work);
            }
        }

        /** The step and, when JSON can carry them (a loss gone NaN cannot), the figures of how the run learns. */
        private void report(TaskRun run, TrainingPace.Figures f) {
            if (TrainingFigures.representable(f.loss(), f.smoothedLoss(), f.learningRate(), f.secondsPerStep())) {
                run.trainingStep(f.step(), f.total(), new TrainingFigures(f.loss(), f.smoothedLoss(), f.learningRate(),
                        f.secondsPerStep(), f.etaSeconds()));
            } else {
                run.step(f.step(), f.total());
            }
        }

        /** The dataset's folder, which must be under the datasets root, hold images and have them square. */
        private Path dataset() {
            Path folder = datasetsDir.resolve(job.dataset()).normalize();
            if (!folder.startsWith(datasetsDir) || !Files.isDirectory(folder)) {
                throw datasetFailure("a folder under the datasets root " + datasetsDir + "; there is none of this name");
            }
            List<Path> images;
            try (Stream<Path> files = Files.list(folder)) {
                images = files.filter(f -> f.getFileName().toString().toLowerCase().endsWith(".png")).sorted().toList();
            } catch (IOException e) {
                throw datasetFailure("a readable folder (" + e + ")");
            }
            if (images.isEmpty()) {
                throw datasetFailure("a folder holding PNG images with .txt captions; " + folder + " holds none");
            }
            for (Path image : images) {
                PngSize size = PngSize.of(image).orElseThrow(() -> datasetFailure("PNG images; " + image.getFileName()
                        + " is not one"));
                if (size.width() != job.resolution() || size.height() != job.resolution()) {
                    throw new TaskFailure(new EventError("invalid-value", "resolution = " + job.resolution()
                            + ": expected the size of the images, which must be square and all alike; "
                            + image.getFileName() + " is " + size.width() + "x" + size.height(),
                            Optional.of("resolution")), null);
                }
            }
            return folder;
        }

        private TaskFailure datasetFailure(String expected) {
            return new TaskFailure(new EventError("invalid-value", "dataset = \"" + job.dataset() + "\": expected "
                    + expected, Optional.of("dataset")), null);
        }

        /** The engine names a bad hyperparameter or data problem by its field; data problems concern {@code dataset}. */
        private TaskFailure failure(IllegalArgumentException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            Optional<String> field = message.startsWith("data:") ? Optional.of("dataset") : Optional.empty();
            return new TaskFailure(new EventError(FAILED, "training " + job.id() + " failed: " + message, field), e);
        }

        private dev.diffarm.engine.pipeline.StableDiffusion lease() {
            try {
                return models.lease(job.model()).model();
            } catch (RenderException e) {
                throw new TaskFailure(new EventError(e.code(), e.getMessage(), Optional.of("model")), e);
            }
        }

        private TrainingSettings settings() {
            return new TrainingSettings(job.learningRate(), LrSchedule.named(job.lrScheduler()), job.lrWarmupSteps(),
                    job.maxTrainSteps(), job.trainBatchSize(), job.gradientAccumulationSteps(), job.maxGradNorm(),
                    job.seed(), job.shuffle(), NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(), 0);
        }

        private LoraTargetModules targets() {
            return job.loraTargets().isEmpty() ? LoraTargetModules.kohyaDefault() : LoraTargetModules.peft(job.loraTargets());
        }

        /** The LoRA in the node's LoRA folder, replaced whole (a render never sees half a file). */
        private void install(Path lora) throws IOException {
            Files.createDirectories(loraDir);
            Path staged = Files.createTempFile(loraDir, "." + job.output() + "-", ".part");
            try {
                Files.copy(lora, staged, StandardCopyOption.REPLACE_EXISTING);
                Files.move(staged, loraDir.resolve(job.outputFile()), StandardCopyOption.REPLACE_EXISTING,
                        StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(staged);
            }
        }
    }

    /** The engine's state folder of {@code state}, fetched from the store into {@code work}. */
    private static Path download(SavedState state, Path work) {
        Path folder = TrainingState.folder(work.resolve("resume"), state.step());
        try (InputStream in = state.open(TrainingState.FILE)) {
            Files.createDirectories(folder);
            Files.copy(in, folder.resolve(TrainingState.FILE));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fetch " + state + " into " + folder, e);
        }
        return folder;
    }

    /** The engine's state of {@code step}, saved into the store; the local folder is then not needed. */
    private static void upload(TaskState states, long step, Path folder) throws IOException {
        StateSave save = states.save(step);
        try (var out = save.open(TrainingState.FILE)) {
            Files.copy(folder.resolve(TrainingState.FILE), out);
        }
        save.commit();
        delete(folder);
    }

    private static Path temporaryFolder() {
        try {
            return Files.createTempDirectory("diffarm-train-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot make a working folder for training", e);
        }
    }

    private static void delete(Path folder) {
        if (!Files.exists(folder)) {
            return;
        }
        try (Stream<Path> files = Files.walk(folder)) {
            for (Path file : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete " + folder, e);
        }
    }
}

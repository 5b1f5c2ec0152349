package dev.diffarm.daemon.job;

import dev.diffarm.api.Progress;
import dev.diffarm.daemon.gallery.LossPlot;
import dev.diffarm.daemon.port.ObjectMetadata;
import dev.diffarm.daemon.port.OutputStore;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.engine.plugins.SamplerPlugins;
import dev.diffarm.engine.train.FineTuneRun;
import dev.diffarm.engine.train.TrainingPace;
import dev.diffarm.engine.train.TrainingState;
import dev.diffarm.engine.train.data.InvalidDatasetException;
import dev.diffarm.engine.train.data.KohyaDataOptions;
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
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * One run of a train job (one combination of its sweep) as a task: it checks the dataset, trains with its method's
 * {@link TrainingRunner}, reports a progress step per optimizer step, renders the samples when they are due, saves the
 * whole state every {@code saveEvery} steps and after the last (with the loss history) under the task's own keys, and
 * redraws the loss curve after each save. A task run again starts from its last saved state. The result is stored at
 * {@link TrainJob.Run#outputKey()}; a LoRA also goes into the node's LoRA folder, so that render jobs name it at once.
 * Whether the result is made it tells while it runs: a last saved state of the last step means it is.
 */
final class TrainTask extends SoleTask {
    private static final Logger LOG = Logger.getLogger(TrainTask.class);
    private static final String FAILED = "train-failed";

    /**
     * What the tasks of a node share.
     *
     * @param datasetsDir the root a job's {@code dataset} names a folder of, absolute and normalized
     * @param loraDir     the node's LoRA folder
     * @param plugins     the fine-tune methods, and the samplers the samples are rendered with
     */
    record Farm(ModelCache models, OutputStore store, Path datasetsDir, Path loraDir, SamplerPlugins plugins) {
    }

    private final TrainJob job;
    private final TrainJob.Run run;
    private final Farm farm;

    TrainTask(TrainJob job, TrainJob.Run run, Farm farm) {
        super(run.taskId(), run.outputKey(), run.parameterHash());
        this.job = job;
        this.run = run;
        this.farm = farm;
    }

    @Override
    public Outcome run(TaskRun taskRun) {
        TrainingRunner runner = TrainingRunner.forMethod(job.method());
        TaskState states = taskRun.state(TrainJobHandler.STATES_KEPT);
        Optional<SavedState> last = states.latest();
        long total = run.settings().maxTrainSteps();
        Path folder = temporaryFolder();
        try {
            Path data = dataset(folder);
            ModelCache.LoadedModel model = lease();
            LossHistory losses = last.map(LossHistory::of).orElseGet(LossHistory::new);
            Optional<Path> resume = last.map(state -> download(state, folder));
            Path out = folder.resolve(run.outputFile());
            Optional<Path> classData = job.classImagesPrefix().isEmpty() ? Optional.empty()
                    : Optional.of(classImages(model, folder.resolve("class-images"), taskRun));
            TrainingWork work = new TrainingWork(job, run, data, out, resume, classData);
            TrainingSamples samples = new TrainingSamples(new TrainingRender(farm.plugins(), model), runner,
                    farm.store(), work);
            TrainingPace pace = new TrainingPace(total, System::nanoTime);
            FineTuneRun.run(model.model(), farm.plugins().fineTuneMethods(), runner.request(work), (report, current) -> {
                TrainingPace.Figures figures = pace.next(report);
                losses.add(figures.step(), figures.loss(), figures.smoothedLoss());
                report(taskRun, figures);
                taskRun.checkCancelled("after step " + report.step() + " of " + total);
                if (job.samples().dueAfter(report.step(), total)) {
                    samples.render(report.step(), current, folder);
                }
            }, (step, state) -> {
                upload(states, step, state, losses);
                storeLossPlot(losses);
            });
            storeLossPlot(losses);
            farm.store().put(run.outputKey(), out, ObjectMetadata.of("application/octet-stream"));
            if (job.method().equals(TrainJob.LORA)) {
                install(out);
            }
            return last.filter(state -> state.step() >= total).isPresent() ? Outcome.FOUND_MADE : Outcome.MADE;
        } catch (IllegalArgumentException e) {
            throw failure(e);
        } catch (InvalidDatasetException e) {
            throw new TaskFailure(new EventError("invalid-value", e.getMessage(), Optional.of(e.field())), e);
        } catch (IOException e) {
            throw new TaskFailure(new EventError(FAILED, "training " + job.id() + " " + run.taskId() + " failed: " + e), e);
        } finally {
            if (job.method().equals(TrainJob.DREAMBOOTH)) {
                // DreamBooth trained the cached model's UNet in place: the next lease must read the file again
                farm.models().close();
            }
            delete(folder);
        }
    }

    /** DreamBooth's class images in {@code target}: the farm renders those it does not keep yet (a first run). */
    private Path classImages(ModelCache.LoadedModel model, Path target, TaskRun taskRun) throws IOException {
        Progress cancellable = new Progress() {
            @Override
            public boolean isCancelled() {
                return taskRun.isCancelled();
            }
        };
        int rendered = new ClassImages(farm.store(), farm.plugins(), farm.datasetsDir()).gather(job, model.model(),
                target, cancellable);
        LOG.infof("%s %s: %d class images, %d of them rendered now", job.id(), run.taskId(),
                job.dreambooth().orElseThrow().numClassImages(), rendered);
        return target;
    }

    /** The step and, when JSON can carry them (a loss gone NaN cannot), the figures of how the run learns. */
    private static void report(TaskRun run, TrainingPace.Figures f) {
        if (TrainingFigures.representable(f.loss(), f.smoothedLoss(), f.learningRate(), f.secondsPerStep())) {
            run.trainingStep(f.step(), f.total(), new TrainingFigures(f.loss(), f.smoothedLoss(), f.learningRate(),
                    f.secondsPerStep(), f.etaSeconds()));
        } else {
            run.step(f.step(), f.total());
        }
    }

    private void storeLossPlot(LossHistory losses) {
        String title = job.id() + "  " + run.outputName() + ": loss by step";
        farm.store().put(job.lossPlotKey(run.taskId()), LossPlot.render(title, losses.points()), "image/png");
    }

    /**
     * The dataset's folder: one under the datasets root, or the objects of a stored dataset downloaded into
     * {@code work}; without kohya's data options it must hold PNG images of the job's square resolution, which the run
     * takes as they are.
     */
    private Path dataset(Path work) throws IOException {
        Path folder = job.storedDataset().isPresent() ? downloaded(job.storedDataset().get(), work) : localDataset();
        if (!TrainingRunner.dataOptions(job).equals(KohyaDataOptions.DEFAULTS)) {
            return folder; // kohya's pipeline reads it (PNG, JPEG, WebP; repeat folders) and names what is wrong
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

    private Path localDataset() {
        Path root = farm.datasetsDir();
        Path folder = root.resolve(job.dataset()).normalize();
        if (!folder.startsWith(root) || !Files.isDirectory(folder)) {
            throw datasetFailure("a folder under the datasets root " + root + "; there is none of this name");
        }
        return folder;
    }

    /**
     * The objects under {@code prefix} in the job's tenant's part of the store, in a folder of {@code work} named as
     * the prefix's last segment: kohya's metadata ({@code ss_tag_frequency}) names the data folder, so a LoRA trained
     * from {@code datasets/faces/} is the one trained from a local folder {@code faces}, byte for byte.
     */
    private Path downloaded(String prefix, Path work) throws IOException {
        String name = prefix.substring(prefix.lastIndexOf('/', prefix.length() - 2) + 1, prefix.length() - 1);
        Path folder = work.resolve("dataset").resolve(name);
        int files = new StoredDataset(farm.store(), StoredDataset.Limits.DEFAULT).download(job.dataset(), prefix, folder);
        LOG.infof("%s %s: %d files of the dataset %s downloaded", job.id(), run.taskId(), files, prefix);
        return folder;
    }

    private TaskFailure datasetFailure(String expected) {
        return StoredDataset.refusal(job.dataset(), expected);
    }

    /** The engine names a bad hyperparameter or data problem by its field; data problems concern {@code dataset}. */
    private TaskFailure failure(IllegalArgumentException e) {
        String message = e.getMessage() == null ? e.toString() : e.getMessage();
        Optional<String> field = message.startsWith("data:") ? Optional.of("dataset") : Optional.empty();
        return new TaskFailure(new EventError(FAILED, "training " + job.id() + " failed: " + message, field), e);
    }

    private ModelCache.LoadedModel lease() {
        try {
            return farm.models().leaseForTraining(job.model());
        } catch (RenderException e) {
            throw new TaskFailure(new EventError(e.code(), e.getMessage(), Optional.of("model")), e);
        }
    }

    /** The LoRA in the node's LoRA folder, replaced whole (a render never sees half a file). */
    private void install(Path lora) throws IOException {
        Files.createDirectories(farm.loraDir());
        Path staged = Files.createTempFile(farm.loraDir(), "." + run.outputName() + "-", ".part");
        try {
            Files.copy(lora, staged, StandardCopyOption.REPLACE_EXISTING);
            Files.move(staged, farm.loraDir().resolve(run.outputFile()), StandardCopyOption.REPLACE_EXISTING,
                    StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(staged);
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

    /** The engine's state of {@code step} and the loss history, saved into the store; the local folder is then not needed. */
    private static void upload(TaskState states, long step, Path folder, LossHistory losses) throws IOException {
        StateSave save = states.save(step);
        try (var out = save.open(TrainingState.FILE)) {
            Files.copy(folder.resolve(TrainingState.FILE), out);
        }
        save.put(LossHistory.PART, losses.toJson());
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

package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.EngineRenderer;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.train.LoraTargetModules;
import dev.diffarm.engine.train.LoraTrainingRun;
import dev.diffarm.engine.train.LrSchedule;
import dev.diffarm.engine.train.NoiseObjective;
import dev.diffarm.engine.train.TrainingSettings;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.TrainingFigures;
import java.io.IOException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import javax.imageio.ImageIO;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Train jobs on the tiny model with the fixture's four captioned 32x32 images: the stored LoRA equals what the engine's
 * training run (the one {@code diffarm train} makes) writes for the same settings, bit for bit; a job that crashed
 * mid-training resumes from its saved state and ends with the same bytes; render jobs use the LoRA by name at once;
 * DreamBooth (with class images the farm renders and keeps) and Textual Inversion jobs store their results where their
 * kind of file goes; bad train jobs are refused naming the field, and data options the farm cannot train with yet fail
 * naming it.
 */
class TrainJobsTest {
    /** The settings of the job, as JSON fields: those of the fixture's train-lora-run, from a fresh LoRA. */
    private static final String SETTINGS = "\"learningRate\": 1e-3, \"lrScheduler\": \"cosine\", \"lrWarmupSteps\": 2, "
            + "\"maxTrainSteps\": 6, \"trainBatchSize\": 2, \"gradientAccumulationSteps\": 2, \"maxGradNorm\": 1.0, "
            + "\"networkDim\": 4, \"networkAlpha\": 4, \"resolution\": 32, \"shuffle\": false, \"seed\": 1361, "
            + "\"saveEvery\": 3";

    /** Samples every 2 steps of two prompts, few sampling steps so that the test stays quick. */
    private static final String SAMPLES = "\"sampleEvery\": 2, \"samplePrompts\": [\"zwx person\", \"a cat\"], "
            + "\"sampleSteps\": 2, \"sampleSeed\": 7";

    @TempDir
    static Path shared;
    /** The LoRA file the engine's training run writes for {@link #SETTINGS}. */
    private static byte[] reference;

    @TempDir
    Path dir;

    @BeforeAll
    static void trainWithTheEngine() throws IOException {
        Path data = TinyModel.copyTrainData(shared.resolve("faces"));
        Path out = shared.resolve("out/faces.safetensors");
        Files.createDirectories(out.getParent());
        TrainingSettings settings = new TrainingSettings(1e-3, LrSchedule.COSINE, 2, 6, 2, 2, 1.0, 1361, false,
                NoiseObjective.Prediction.EPSILON, OptionalDouble.empty(), 0);
        LoraTrainingRun.Request request = new LoraTrainingRun.Request(data, Optional.empty(),
                LoraTargetModules.kohyaDefault(), 4, 4f, settings, out, 0, false, Optional.empty(), "sd_v1");
        try (StableDiffusion model = StableDiffusion.load(TinyModel.source(), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment())) {
            // On a thread other than the one that started the engine, as a farm worker trains: libtorch's grad mode
            // is on by default there.
            AtomicReference<Throwable> failure = new AtomicReference<>();
            Thread worker = new Thread(() -> {
                try {
                    LoraTrainingRun.run(model, request, report -> { });
                } catch (Throwable e) {
                    failure.set(e);
                }
            }, "train-worker");
            worker.start();
            worker.join();
            if (failure.get() != null) {
                throw new AssertionError("training on a worker thread failed", failure.get());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        reference = Files.readAllBytes(out);
    }

    @Test
    void aTrainJobStoresTheEnginesLoraAndRenderJobsUseItByName() throws Exception {
        Path loras = dir.resolve("loras");
        LocalFarm farm = farm(dir, loras);
        TinyModel.copyTrainData(LocalFarm.datasets(farm.local).resolve("faces"));
        farm.drop("train.json", trainJob("train-1", "\"method\": \"lora\", \"dataset\": \"faces\", " + SETTINGS));
        farm.runUntilIdle();

        assertEquals("completed", last(farm.events.milestones("train-1")), farm.events.of("train-1").toString());
        assertArrayEquals(reference, farm.object("loras/faces.safetensors"), "stored LoRA vs the engine's, bit for bit");
        assertArrayEquals(reference, Files.readAllBytes(loras.resolve("faces.safetensors")), "the node's LoRA folder");
        assertEquals(List.of("1/6", "2/6", "3/6", "4/6", "5/6", "6/6"), steps(farm, "train-1"));
        JobEvent.Progress lastStep = farm.events.of("train-1").stream().filter(JobEvent.Progress.class::isInstance)
                .map(JobEvent.Progress.class::cast).reduce((a, b) -> b).orElseThrow();
        TrainingFigures figures = lastStep.training().orElseThrow(() -> new AssertionError(lastStep.toJson()));
        assertTrue(figures.loss() > 0 && figures.smoothedLoss() > 0 && figures.secondsPerStep() > 0, lastStep.toJson());
        assertEquals(0, figures.etaSeconds(), "nothing left after the last step");
        assertEquals(lastStep, JobEvent.parse(lastStep.toJson()), "the figures survive JSON: " + lastStep.toJson());
        System.out.println("last progress event: " + lastStep.toJson());
        System.out.printf("train job: LoRA of %d bytes equal to the engine run's%n", reference.length);

        farm.drop("render.json", TinyModel.renderJob("with-faces", "[\"zwx person <lora:faces:1>\"]", "[1]", 3));
        farm.runUntilIdle();
        String parameters = PngReader.readParameters(farm.local.resolve("outputs/jobs/with-faces/t0000.png")).orElseThrow();
        assertTrue(parameters.contains("Lora hashes: \"faces: "), parameters);
    }

    @Test
    void aTrainJobCrashedMidwayResumesFromItsSavedStateAndEndsBitForBit() throws Exception {
        Path loras = dir.resolve("loras");
        LocalFarm first = crashingInStepFive(loras);
        first.drop("train.json", trainJob("crashy", "\"method\": \"lora\", \"dataset\": \"faces\", " + SETTINGS));
        assertThrows(Crash.class, first::runUntilIdle);
        TaskState states = new TaskState(first.store, "jobs/crashy/t0000/state/", TrainJobHandler.STATES_KEPT);
        assertEquals(Optional.of(3L), states.latest().map(SavedState::step), "the state of step 3 was saved");
        assertTrue(first.store.get("loras/faces.safetensors").isEmpty());

        LocalFarm restarted = farm(dir, loras);
        restarted.runUntilIdle();

        assertEquals("completed", last(restarted.events.milestones("crashy")));
        assertEquals(List.of("4/6", "5/6", "6/6"), steps(restarted, "crashy"), "went on after step 3");
        assertArrayEquals(reference, restarted.object("loras/faces.safetensors"), "resumed vs uninterrupted, bit for bit");
        assertEquals(Optional.of(6L), states.latest().map(SavedState::step), "the last step's state is kept too");
    }

    @Test
    void samplesAndTheLossCurveAreStoredWhileItLearnsAndTheGalleryShowsThemWithoutChangingTheLora() throws Exception {
        LocalFarm farm = farm(dir, dir.resolve("loras"));
        TinyModel.copyTrainData(LocalFarm.datasets(farm.local).resolve("faces"));
        farm.drop("train.json", trainJob("seen", "\"method\": \"lora\", \"dataset\": \"faces\", " + SETTINGS + ", "
                + SAMPLES));
        farm.runUntilIdle();

        assertEquals("completed", last(farm.events.milestones("seen")), farm.events.of("seen").toString());
        assertArrayEquals(reference, farm.object("loras/faces.safetensors"), "samples leave the training as it was");
        for (long step : List.of(2L, 4L, 6L)) {
            for (int prompt = 0; prompt < 2; prompt++) {
                BufferedImage sample = image(farm.object(String.format("jobs/seen/samples/step-%06d/t0000-p%02d.png",
                        step, prompt)));
                assertEquals(32, sample.getWidth(), "rendered at the job's resolution");
            }
        }
        assertFalse(Arrays.equals(farm.object("jobs/seen/samples/step-000002/t0000-p00.png"),
                farm.object("jobs/seen/samples/step-000006/t0000-p00.png")), "the samples change as it learns");
        String parameters = PngReader.readParameters(farm.local.resolve("outputs/jobs/seen/samples/step-000006/t0000-p00.png"))
                .orElseThrow();
        assertTrue(parameters.contains("Lora hashes: \"faces: ") && parameters.contains("Seed: 7"), parameters);
        BufferedImage loss = image(farm.object("jobs/seen/loss.png"));
        assertEquals(720, loss.getWidth());
        BufferedImage sheet = image(farm.object("jobs/seen/samples-t0000.png"));
        assertEquals(List.of(12 + 2 * (256 + 12), 28 + 12 + 3 * (256 + 32 + 12)), List.of(sheet.getWidth(), sheet.getHeight()),
                "a row per sample step (2, 4, 6), a column per prompt");
        String index = new String(farm.object("jobs/seen/index.html"), StandardCharsets.UTF_8);
        assertTrue(index.contains("src=\"loss.png\"") && index.contains("samples/step-000004/t0000-p01.png"), index);
        JobEvent.Completed completed = (JobEvent.Completed) farm.events.of("seen").stream()
                .filter(JobEvent.Completed.class::isInstance).findFirst().orElseThrow();
        assertTrue(completed.keys().containsAll(List.of("loras/faces.safetensors", "jobs/seen/samples-t0000.png",
                "jobs/seen/index.html")), completed.keys().toString());
        System.out.println("samples stored: 3 steps x 2 prompts; gallery keys " + completed.keys());
    }

    @Test
    void aCrashedJobWithSamplesResumesBitForBitAndItsLossCurveStartsAtStepOne() throws Exception {
        Path loras = dir.resolve("loras");
        LocalFarm first = crashingInStepFive(loras);
        first.drop("train.json", trainJob("crashy", "\"method\": \"lora\", \"dataset\": \"faces\", " + SETTINGS + ", "
                + SAMPLES));
        assertThrows(Crash.class, first::runUntilIdle);
        assertTrue(first.store.exists("jobs/crashy/samples/step-000004/t0000-p00.png"), "samples of step 4 were stored");
        assertTrue(first.store.exists("jobs/crashy/loss.png"), "the loss curve is drawn at each save");

        LocalFarm restarted = farm(dir, loras);
        restarted.runUntilIdle();

        assertEquals("completed", last(restarted.events.milestones("crashy")));
        assertEquals(List.of("4/6", "5/6", "6/6"), steps(restarted, "crashy"), "went on after step 3");
        assertArrayEquals(reference, restarted.object("loras/faces.safetensors"), "resumed with samples vs uninterrupted");
        TaskState states = new TaskState(restarted.store, "jobs/crashy/t0000/state/", TrainJobHandler.STATES_KEPT);
        SavedState end = states.latest().orElseThrow();
        String history = new String(end.read(LossHistory.PART), StandardCharsets.UTF_8);
        assertEquals(6, TaskState.JSON.readTree(history).path("points").size(), history);
        assertTrue(restarted.store.exists("jobs/crashy/samples/step-000006/t0000-p01.png"));
        System.out.println("resumed with samples on: LoRA equal bit for bit; loss history " + history);
    }

    @Test
    void aSweepTrainsEachCombinationAsATaskOfItsOwnAndEndsWithAGridOfTheirSamples() throws Exception {
        LocalFarm farm = farm(dir, dir.resolve("loras"));
        TinyModel.copyTrainData(LocalFarm.datasets(farm.local).resolve("faces"));
        farm.drop("sweep.json", trainJob("sweep", "\"method\": \"lora\", \"dataset\": \"faces\", "
                + "\"learningRate\": [1e-3, 5e-3], \"networkDim\": [2, 4], \"maxTrainSteps\": 2, \"resolution\": 32, "
                + "\"shuffle\": false, \"seed\": 1361, \"samplePrompts\": [\"zwx person\", \"a cat\"], "
                + "\"sampleSteps\": 2, \"sampleSeed\": 7"));
        farm.runUntilIdle();

        assertEquals("completed", last(farm.events.milestones("sweep")), farm.events.of("sweep").toString());
        List<String> names = List.of("faces-lr1e-3-dim2", "faces-lr1e-3-dim4", "faces-lr5e-3-dim2", "faces-lr5e-3-dim4");
        List<String> tasks = farm.events.of("sweep").stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(e -> ((JobEvent.TaskCompleted) e).key()).toList();
        assertEquals(names.stream().map(n -> "loras/" + n + ".safetensors").toList(), tasks);
        Set<String> distinct = new HashSet<>();
        for (String name : names) {
            distinct.add(Arrays.toString(farm.object("loras/" + name + ".safetensors")));
            assertTrue(Files.exists(dir.resolve("loras").resolve(name + ".safetensors")), name + " in the LoRA folder");
        }
        assertEquals(4, distinct.size(), "every combination trained a LoRA of its own");
        for (int task = 0; task < 4; task++) {
            assertEquals(720, image(farm.object(String.format("jobs/sweep/loss-t%04d.png", task))).getWidth());
        }
        BufferedImage grid = image(farm.object("jobs/sweep/sweep-grid.png"));
        assertEquals(List.of(12 + 2 * (256 + 12), 28 + 12 + 4 * (256 + 32 + 12)), List.of(grid.getWidth(), grid.getHeight()),
                "a row per combination, a column per prompt");
        String index = new String(farm.object("jobs/sweep/index.html"), StandardCharsets.UTF_8);
        assertTrue(index.contains("sweep-grid.png") && index.contains("faces-lr5e-3-dim4"), index);
        System.out.println("sweep: " + tasks.size() + " tasks " + tasks + ", grid " + grid.getWidth() + "x" + grid.getHeight());
    }

    @Test
    void dreamboothAndTextualInversionJobsTrainAndStoreTheirResultsWhereTheirKindOfFileGoes() throws Exception {
        LocalFarm farm = farm(dir, dir.resolve("loras"));
        TinyModel.copyTrainData(LocalFarm.datasets(farm.local).resolve("faces"));
        String common = "\"dataset\": \"faces\", \"maxTrainSteps\": 2, \"resolution\": 32, \"shuffle\": false, "
                + "\"seed\": 1361, \"sampleEvery\": 1, \"sampleSteps\": 2, \"sampleSeed\": 7, ";
        farm.drop("ti.json", trainJob("ti", common + "\"method\": \"textual-inversion\", \"token\": \"<zwx>\", "
                + "\"initToken\": \"person\", \"learningRate\": 5e-3, \"samplePrompts\": [\"a <zwx> portrait\"]"));
        farm.drop("db.json", trainJob("db", common + "\"method\": \"dreambooth\", \"instancePrompt\": \"a photo of zwx "
                + "person\", \"classPrompt\": \"a photo of a person\", \"numClassImages\": 2, "
                + "\"samplePrompts\": [\"a photo of zwx person\"]"));
        farm.drop("render.json", TinyModel.renderJob("after-db", "[\"a cat\"]", "[1]", 2));
        farm.runUntilIdle();

        for (String job : List.of("ti", "db", "after-db")) {
            assertEquals("completed", last(farm.events.milestones(job)), farm.events.of(job).toString());
        }
        byte[] embedding = farm.object("embeddings/faces.safetensors");
        byte[] model = farm.object("models/faces.safetensors");
        for (String job : List.of("ti", "db")) {
            for (long step : List.of(1L, 2L)) {
                assertEquals(32, image(farm.object(String.format("jobs/%s/samples/step-%06d/t0000-p00.png", job, step)))
                        .getWidth());
            }
            assertEquals(720, image(farm.object("jobs/" + job + "/loss.png")).getWidth());
        }
        String prefix = "class-images/" + TinyModel.NAME + "/";
        List<String> classImages = farm.store.list(prefix);
        assertEquals(2, classImages.size(), "the class images the farm rendered are kept: " + classImages);
        System.out.printf("textual inversion: embedding of %d bytes; dreambooth: checkpoint of %d bytes, class images %s%n",
                embedding.length, model.length, classImages);
    }

    @Test
    void badTrainJobsAreRefusedNamingTheFieldAndDisturbNothing() throws Exception {
        LocalFarm farm = farm(dir, dir.resolve("loras"));
        Files.createDirectories(LocalFarm.datasets(farm.local).resolve("empty"));
        TinyModel.copyTrainData(LocalFarm.datasets(farm.local).resolve("faces"));
        Map<String, String> rejected = Map.of(
                "method", "\"method\": \"hypernetwork\", \"dataset\": \"faces\"",
                "networkDim", "\"method\": \"lora\", \"dataset\": \"faces\", \"networkDim\": 0",
                "learningRate", "\"method\": \"lora\", \"dataset\": \"faces\", \"learningRate\": -1e-4",
                "dataset", "\"method\": \"lora\", \"dataset\": \"../faces\"");
        rejected.forEach((field, fields) -> farm.drop(field + ".json", trainJob("bad-" + field, fields)));
        farm.drop("unknown.json", trainJob("unknown", "\"method\": \"lora\", \"dataset\": \"nowhere\", " + SETTINGS));
        farm.drop("empty.json", trainJob("empty", "\"method\": \"lora\", \"dataset\": \"empty\", " + SETTINGS));
        farm.drop("size.json", trainJob("size", "\"method\": \"lora\", \"dataset\": \"faces\", \"resolution\": 64"));
        farm.drop("bucket.json", trainJob("bucket", "\"method\": \"lora\", \"dataset\": \"faces\", \"enableBucket\": true, "
                + SETTINGS));
        farm.drop("render.json", TinyModel.renderJob("after", "[\"a cat\"]", "[1]", 2));
        farm.runUntilIdle();

        rejected.keySet().forEach(field -> {
            JobEvent.Rejected event = (JobEvent.Rejected) farm.events.of("bad-" + field).get(0);
            assertEquals(List.of(Optional.of(field)), event.errors().stream().map(e -> e.field()).toList(), event.toJson());
            System.out.println("rejected: " + event.errors().get(0).message());
        });
        for (Map.Entry<String, String> failed : Map.of("unknown", "dataset", "empty", "dataset", "size", "resolution")
                .entrySet()) {
            JobEvent.Failed event = (JobEvent.Failed) farm.events.of(failed.getKey()).stream()
                    .filter(JobEvent.Failed.class::isInstance).findFirst().orElseThrow();
            assertEquals(Optional.of(failed.getValue()), event.error().field(), event.toJson());
            System.out.println("failed: " + event.error().message());
        }
        assertEquals("completed", last(farm.events.milestones("bucket")), "enableBucket trains through kohya's pipeline");
        assertEquals("completed", last(farm.events.milestones("after")), "a render job after them is undisturbed");
    }

    @Test
    void aTrainJobFromAStoredDatasetStoresTheSameLoraAsFromTheFolderAndBadPrefixesFailNamingDataset() throws Exception {
        LocalFarm farm = farm(dir, dir.resolve("loras"));
        storeTrainData(farm);
        farm.store.put("datasets/odd/a.png", new byte[] {1}, "image/png");
        farm.store.put("datasets/odd/model.ckpt", new byte[] {1}, "application/octet-stream");
        farm.store.put("datasets/deep/10_zwx person/x/a.png", new byte[] {1}, "image/png");
        farm.store.put("datasets/named/#1.png", new byte[] {1}, "image/png");
        farm.drop("stored.json", trainJob("stored", "\"method\": \"lora\", \"dataset\": \"store:datasets/faces/\", "
                + SETTINGS));
        Map<String, String> failing = Map.of("nothing", "datasets/nothing/", "odd", "datasets/odd/model.ckpt",
                "deep", "datasets/deep/10_zwx person/x/a.png", "named", "datasets/named/#1.png");
        failing.keySet().forEach(name -> farm.drop(name + ".json", trainJob(name, "\"method\": \"lora\", "
                + "\"dataset\": \"store:datasets/" + name + "/\", " + SETTINGS)));
        farm.drop("escape.json", trainJob("escape", "\"method\": \"lora\", \"dataset\": \"store:datasets/../jobs/\""));
        farm.runUntilIdle();

        assertEquals("completed", last(farm.events.milestones("stored")), farm.events.of("stored").toString());
        assertArrayEquals(reference, farm.object("loras/faces.safetensors"), "LoRA from the store vs the folder's");
        System.out.printf("stored dataset: LoRA of %d bytes equal to the one trained from the folder%n", reference.length);
        failing.forEach((name, key) -> {
            JobEvent.Failed event = (JobEvent.Failed) farm.events.of(name).stream()
                    .filter(JobEvent.Failed.class::isInstance).findFirst().orElseThrow(() -> new AssertionError(name));
            assertEquals(Optional.of("dataset"), event.error().field(), event.toJson());
            assertTrue(event.error().message().contains(key), event.toJson());
            System.out.println("failed: " + event.error().message());
        });
        JobEvent.Rejected escape = (JobEvent.Rejected) farm.events.of("escape").get(0);
        assertEquals(List.of(Optional.of("dataset")), escape.errors().stream().map(e -> e.field()).toList());
    }

    @Test
    void aStoredDatasetIsDownloadedAgainWhenACrashedJobResumesAndTheLoraEndsBitForBit() throws Exception {
        Path loras = dir.resolve("loras");
        LocalFarm first = crashingInStepFive(loras);
        storeTrainData(first);
        first.drop("train.json", trainJob("crashy", "\"method\": \"lora\", \"dataset\": \"store:datasets/faces/\", "
                + SETTINGS));
        assertThrows(Crash.class, first::runUntilIdle);

        LocalFarm restarted = farm(dir, loras);
        restarted.runUntilIdle();

        assertEquals("completed", last(restarted.events.milestones("crashy")));
        assertEquals(List.of("4/6", "5/6", "6/6"), steps(restarted, "crashy"), "went on after step 3");
        assertArrayEquals(reference, restarted.object("loras/faces.safetensors"), "resumed from the store's data");
    }

    /** The fixture's train-data stored under {@code datasets/faces/}. */
    private static void storeTrainData(LocalFarm farm) throws IOException {
        Path source = TinyModel.source().getParent().resolve("train-data");
        try (Stream<Path> files = Files.list(source)) {
            for (Path file : files.toList()) {
                farm.store.put("datasets/faces/" + file.getFileName(), Files.readAllBytes(file), "image/png");
            }
        }
    }

    /** A farm with the training data whose daemon dies in the middle of step 5. */
    private LocalFarm crashingInStepFive(Path loras) throws IOException {
        LocalFarm farm = farm(dir, loras);
        TinyModel.copyTrainData(LocalFarm.datasets(farm.local).resolve("faces"));
        farm.events.whenPublished(event -> {
            if (event instanceof JobEvent.Progress progress && progress.step() == 5) {
                throw new Crash();
            }
        });
        return farm;
    }

    private static LocalFarm farm(Path dir, Path loras) {
        Path models = dir.resolve("models");
        if (!Files.isDirectory(models)) {
            TinyModel.modelsDir(models);
        }
        ModelCache cache = new ModelCache(new ModelDirectory(models), TokenizerLocator.fromEnvironment());
        return new LocalFarm(dir.resolve("local"), models, loras, new EngineRenderer(cache, TestPlugins.samplers(),
                new LoraDirectory(loras), new EmbeddingDirectory(dir.resolve("embeddings"))));
    }

    private static String trainJob(String id, String fields) {
        return "{\"apiVersion\": \"diffarm/v1\", \"kind\": \"train\", \"id\": \"" + id + "\", \"model\": \""
                + TinyModel.NAME + "\", \"output\": \"faces\", " + fields + "}";
    }

    private static List<String> steps(LocalFarm farm, String jobId) {
        return farm.events.of(jobId).stream().filter(JobEvent.Progress.class::isInstance)
                .map(JobEvent.Progress.class::cast).map(p -> p.step() + "/" + p.steps()).toList();
    }

    private static String last(List<String> milestones) {
        return milestones.get(milestones.size() - 1);
    }

    private static BufferedImage image(byte[] png) throws IOException {
        BufferedImage image = ImageIO.read(new ByteArrayInputStream(png));
        assertNotNull(image, "a readable PNG");
        return image;
    }

    /** The daemon dying in the middle of a step. */
    private static final class Crash extends Error {
        Crash() {
            super("crashed during step 5");
        }
    }
}

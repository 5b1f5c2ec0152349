package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.merge.ModelMerger;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.EngineRenderer;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.TaskRenderer;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.clip.VocabularyDownloader;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.safetensors.DType;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.MergeJob;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Merge jobs through the embedded queue, on the tiny model: the merged model is written into the models folder, its
 * record into the store, and render jobs can name it at once.
 */
class MergeJobsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Render jobs never reach the renderer in these tests unless they build their own farm. */
    private static final TaskRenderer NO_RENDERS = (task, progress) -> {
        throw new AssertionError("no render expected, got " + task.key());
    };

    @TempDir
    Path dir;
    private Path models;
    private LocalFarm farm;

    @BeforeEach
    void farm() {
        models = TinyModel.modelsDir(dir.resolve("models"));
        farm = new LocalFarm(dir.resolve("local"), models, NO_RENDERS);
    }

    /** The tiny model's weights as one file in the original layout, which its folder holds too. */
    private static Path tinyCheckpoint() {
        return TinyModel.source().resolveSibling("model.safetensors");
    }

    private static String weightedSum(String id, String a, String b, double m, String output) {
        return """
                {"apiVersion": "diffarm/v1", "kind": "merge", "id": "%s", "method": "weighted-sum",
                 "a": "%s", "b": "%s", "multiplier": %s, "output": "%s"}
                """.formatted(id, a, b, m, output);
    }

    private static String addDifference(String id, String a, String b, String c, double m, String output) {
        return """
                {"apiVersion": "diffarm/v1", "kind": "merge", "id": "%s", "method": "add-difference",
                 "a": "%s", "b": "%s", "c": "%s", "multiplier": %s, "output": "%s"}
                """.formatted(id, a, b, c, m, output);
    }

    @Test
    void theTinyModelMergedWithItselfIsItsTensorsBitForBitWithItsRecord() throws Exception {
        farm.drop("self.json", weightedSum("self", TinyModel.NAME, TinyModel.NAME, 0.3, "tiny-self"));
        long start = System.nanoTime();
        farm.runUntilIdle();
        double wall = (System.nanoTime() - start) / 1e9;

        Path merged = models.resolve("tiny-self.safetensors");
        assertSameTensors(tinyCheckpoint(), merged);
        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("self"));
        List<JobEvent> events = farm.events.of("self");
        assertEquals(new JobEvent.Accepted("self", "merge", 1, Optional.of("local")), events.get(0), "the local tenant's job");
        List<JobEvent.Progress> progress = events.stream().filter(JobEvent.Progress.class::isInstance)
                .map(JobEvent.Progress.class::cast).toList();
        int tensors = progress.get(0).steps();
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= tensors; i++) {
            expected.add("t0000:" + i + "/" + tensors);
        }
        assertEquals(expected, progress.stream().map(p -> p.taskId() + ":" + p.step() + "/" + p.steps()).toList(),
                "one progress event per merged tensor (the test's throttle admits all)");
        String key = "jobs/self/merge.json";
        MergeJob job = MergeJob.weightedSum("self", TinyModel.NAME, TinyModel.NAME, 0.3, "tiny-self");
        assertEquals(new JobEvent.TaskCompleted("self", "t0000", key, job.parameterHash(), false), events.get(events.size() - 2));
        assertEquals(new JobEvent.Completed("self", List.of(key)), events.get(events.size() - 1));

        JsonNode record = JSON.readTree(farm.object(key));
        String tinyHash = ModelHash.sha256(TinyModel.source());
        assertEquals(List.of("a:tiny:" + tinyHash, "b:tiny:" + tinyHash), inputs(record));
        assertEquals("tiny-self.safetensors", record.at("/output/file").asText());
        assertEquals(Files.size(merged), record.at("/output/bytes").asLong());
        assertEquals(ModelHash.sha256(merged), record.at("/output/sha256").asText());
        assertEquals(tensors + 1, record.get("tensors").asInt(), "the merged tensors and CLIP's position ids");
        assertEquals(job.parameterHash(), record.get("parameterHash").asText());
        assertEquals(List.of(key), farm.store.list("jobs/self/"));
        assertEquals(List.of("tiny", "tiny-self.safetensors"), entries(models), "no hidden file left behind");
        assertEquals(List.of("models/tiny-self.safetensors"), farm.store.list("models/"), "the model for the other nodes");
        assertEquals(ModelHash.sha256(merged), storedSha256("models/tiny-self.safetensors"));

        JobStatus status = farm.registry.find("self").orElseThrow().status();
        assertEquals("completed", status.state());
        assertEquals(List.of(1, 1), List.of(status.tasks(), status.tasksCompleted()));
        assertEquals(List.of(key), status.keys());
        System.out.printf("merge job of the tiny model (%d tensors, %d bytes): %.3f s merging, %.3f s through the "
                + "daemon's lifecycle%n", tensors + 1, Files.size(merged), record.get("seconds").asDouble(), wall);
    }

    @Test
    void addingTheDifferenceOfEqualModelsGivesA() throws IOException {
        // B = C = another model: twice the tiny model's weights.
        writeScaledCheckpoint(models.resolve("doubled.safetensors"), 2);
        farm.drop("diff.json", addDifference("diff", TinyModel.NAME, "doubled", "doubled", 0.7, "tiny-plus-nothing"));
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("diff"));
        assertSameTensors(tinyCheckpoint(), models.resolve("tiny-plus-nothing.safetensors"));
        JsonNode record = JSON.readTree(farm.object("jobs/diff/merge.json"));
        assertEquals(List.of("a", "b", "c"), List.of(record.at("/inputs/0/field").asText(), record.at("/inputs/1/field")
                .asText(), record.at("/inputs/2/field").asText()));
        assertEquals(ModelHash.sha256(models.resolve("doubled.safetensors")), record.at("/inputs/2/sha256").asText());
    }

    @Test
    void theMergedModelIsListedAndRendersByItsName() throws Exception {
        farm.drop("self.json", weightedSum("self", TinyModel.NAME, TinyModel.NAME, 0.5, "tiny-self"));
        farm.runUntilIdle();

        ModelDirectory directory = new ModelDirectory(models);
        assertEquals(Optional.of(new ModelDirectory.Model("tiny-self", models.resolve("tiny-self.safetensors"),
                "checkpoint")), directory.find("tiny-self"));
        // A single file holds no tokenizer: the farm's CLIP cache does, here the tiny model's own.
        Path cache = dir.resolve("cache");
        Path clip = Files.createDirectories(cache.resolve("clip-vit-large-patch14"));
        for (String file : List.of("vocab.json", "merges.txt")) {
            Files.copy(TinyModel.source().resolve("tokenizer").resolve(file), clip.resolve(file));
        }
        TokenizerLocator tokenizers = new TokenizerLocator(dir.resolve("no-hub"), cache,
                VocabularyDownloader.disabled("tests are offline"));
        try (ModelCache modelCache = new ModelCache(directory, tokenizers)) {
            LocalFarm renders = new LocalFarm(dir.resolve("local"), models, new EngineRenderer(modelCache,
                    TestPlugins.samplers(), new LoraDirectory(dir.resolve("loras")),
                    new EmbeddingDirectory(dir.resolve("embeddings"))));
            renders.drop("render.json", """
                    {"apiVersion": "diffarm/v1", "kind": "render", "id": "with-mix", "model": "tiny-self",
                     "prompts": ["a cat in a hat"], "seeds": [1], "steps": 2, "width": 32, "height": 32}
                    """);
            renders.runUntilIdle();

            assertEquals(List.of("accepted", "task-completed", "completed"), renders.events.milestones("with-mix"));
            String outputSha256 = JSON.readTree(farm.object("jobs/self/merge.json")).at("/output/sha256").asText();
            String parameters = PngReader.readParameters(dir.resolve("local/outputs/jobs/with-mix/t0000.png")).orElseThrow();
            assertTrue(parameters.endsWith("Model hash: " + outputSha256.substring(0, 10) + ", Model: tiny-self"),
                    parameters);
        }
    }

    @Test
    void aMergeDeliveredAgainCompletesWithoutMergingAgain() throws Exception {
        String json = weightedSum("again", TinyModel.NAME, TinyModel.NAME, 0.3, "tiny-again");
        farm.drop("1.json", json);
        farm.runUntilIdle();
        Path merged = models.resolve("tiny-again.safetensors");
        Path stored = dir.resolve("local/outputs/models/tiny-again.safetensors");
        FileTime written = FileTime.fromMillis(0);
        Files.setLastModifiedTime(merged, written);
        Files.setLastModifiedTime(stored, written);
        byte[] record = farm.object("jobs/again/merge.json");
        farm.events.clear();

        farm.drop("2.json", json);
        farm.runUntilIdle();

        List<JobEvent> events = farm.events.of("again");
        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("again"));
        assertTrue(((JobEvent.TaskCompleted) events.get(1)).skipped(), events.toString());
        assertEquals(new JobEvent.Completed("again", List.of("jobs/again/merge.json")), events.get(2));
        assertEquals(written, Files.getLastModifiedTime(merged), "the model was not written again");
        assertArrayEquals(record, farm.object("jobs/again/merge.json"), "nor its record");
        assertEquals(written, Files.getLastModifiedTime(stored), "nor stored again");
        assertEquals("completed", farm.registry.find("again").orElseThrow().status().state());

        // A daemon that died between renaming the model and storing it: the record and the model, not the object.
        Files.delete(stored);
        farm.events.clear();
        farm.drop("3.json", json);
        farm.runUntilIdle();

        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("again"));
        assertTrue(((JobEvent.TaskCompleted) farm.events.of("again").get(1)).skipped(), "not merged again");
        assertEquals(written, Files.getLastModifiedTime(merged));
        assertEquals(ModelHash.sha256(merged), storedSha256("models/tiny-again.safetensors"), "but stored now");
    }

    @Test
    void aMergeNeverReplacesAModelOfTheStore() throws Exception {
        byte[] othersModel = {1, 2, 3};
        farm.store.put("models/elsewhere.safetensors", othersModel, "application/octet-stream");
        farm.drop("over.json", weightedSum("over", TinyModel.NAME, TinyModel.NAME, 0.3, "elsewhere"));
        farm.runUntilIdle();

        JobEvent.Failed failed = (JobEvent.Failed) last(farm.events.of("over"));
        assertEquals(ModelMerger.OUTPUT_EXISTS, failed.error().code());
        assertEquals(Optional.of("output"), failed.error().field());
        assertEquals("output = \"elsewhere\": expected a name no model in the store " + farm.store.location()
                + " has, but models/elsewhere.safetensors is there and job over did not make it", failed.error().message());
        assertArrayEquals(othersModel, farm.object("models/elsewhere.safetensors"));
        assertEquals(List.of("tiny"), entries(models));
    }

    /** The SHA-256 of the object under {@code key}, read from the store as a stream. */
    private String storedSha256(String key) throws IOException {
        Path copy = dir.resolve("stored-copy");
        assertTrue(farm.store.download(key, copy), key + " is stored");
        return ModelHash.sha256(copy);
    }

    @Test
    void aMergeWhoseModelWasNotPublishedYetMergesAgain() throws IOException {
        String json = weightedSum("resume", TinyModel.NAME, TinyModel.NAME, 0.3, "tiny-resume");
        farm.drop("1.json", json);
        farm.runUntilIdle();
        // A daemon that died between storing the record and renaming the file: the record without the model,
        // and the unfinished file it was writing.
        Path merged = models.resolve("tiny-resume.safetensors");
        Files.move(merged, models.resolve(".tiny-resume.safetensors.partial"));
        farm.events.clear();

        farm.drop("2.json", json);
        farm.runUntilIdle();

        assertFalse(((JobEvent.TaskCompleted) farm.events.of("resume").stream()
                .filter(JobEvent.TaskCompleted.class::isInstance).findFirst().orElseThrow()).skipped());
        assertSameTensors(tinyCheckpoint(), merged);
        assertEquals(List.of("tiny", "tiny-resume.safetensors"), entries(models));
        assertEquals(ModelHash.sha256(merged), storedSha256("models/tiny-resume.safetensors"),
                "the store holds the model of the merge that finished");
    }

    @Test
    void aMergeNeverReplacesAModelItDidNotMake() throws IOException {
        farm.drop("first.json", weightedSum("first", TinyModel.NAME, TinyModel.NAME, 0.3, "mix"));
        farm.runUntilIdle();
        Path mix = models.resolve("mix.safetensors");
        String mixHash = ModelHash.sha256(mix);
        farm.drop("folder.json", weightedSum("folder", TinyModel.NAME, TinyModel.NAME, 0.3, TinyModel.NAME));
        farm.drop("other-job.json", weightedSum("other-job", TinyModel.NAME, TinyModel.NAME, 0.3, "mix"));
        farm.drop("first-changed.json", weightedSum("first", TinyModel.NAME, TinyModel.NAME, 0.4, "mix"));
        farm.runUntilIdle();

        assertOutputExists("folder", "tiny", models.resolve("tiny"));
        assertOutputExists("other-job", "mix", mix);
        assertOutputExists("first", "mix", mix);
        assertEquals(mixHash, ModelHash.sha256(mix), "the model stays as it was");
        assertEquals(List.of("mix.safetensors", "tiny"), entries(models));
    }

    private void assertOutputExists(String jobId, String output, Path existing) {
        JobEvent.Failed failed = (JobEvent.Failed) last(farm.events.of(jobId));
        assertEquals(ModelMerger.OUTPUT_EXISTS, failed.error().code());
        assertEquals(Optional.of("output"), failed.error().field());
        assertEquals(Optional.of("t0000"), failed.taskId());
        assertEquals("output = \"" + output + "\": expected a name no model in " + models + " has, but " + existing
                + " is there and job " + jobId + " did not make it", failed.error().message());
        assertEquals("failed", farm.registry.find(jobId).orElseThrow().status().state());
    }

    @Test
    void cancellingAMergeStopsItBetweenTensorsAndLeavesNoFile() {
        farm.events.whenPublished(event -> {
            if (event instanceof JobEvent.Progress progress && progress.step() == 5) {
                farm.intake.cancel(progress.jobId());
            }
        });
        farm.drop("stop.json", weightedSum("stop", TinyModel.NAME, TinyModel.NAME, 0.3, "never"));
        farm.runUntilIdle();

        JobEvent.Failed failed = (JobEvent.Failed) last(farm.events.of("stop"));
        assertEquals("cancelled", failed.error().code());
        assertTrue(failed.error().message().startsWith("job stop was cancelled (cancelled after tensor 5 of "),
                failed.error().message());
        assertEquals(Optional.of("t0000"), failed.taskId());
        assertEquals(5, farm.events.of("stop").stream().filter(JobEvent.Progress.class::isInstance).count());
        assertEquals("cancelled", farm.registry.find("stop").orElseThrow().status().state());
        assertEquals(List.of("tiny"), entries(models));
        assertEquals(List.of(), farm.store.list("jobs/stop/"));
        assertEquals(List.of(), farm.store.list("models/"));
    }

    @Test
    void modelsOfAnotherArchitectureFailTheMergeAndAnUnknownOneIsRejected() throws IOException {
        writeCheckpointWithout(models.resolve("shallower.safetensors"), "cond_stage_model.transformer.text_model.encoder.layers.4.");
        writeCheckpointWithout(models.resolve("lacking.safetensors"), "model.diffusion_model.input_blocks.1.1.proj_in.weight");
        farm.drop("arch.json", weightedSum("arch", TinyModel.NAME, "shallower", 0.5, "broken"));
        farm.drop("incomplete.json", weightedSum("incomplete", TinyModel.NAME, "lacking", 0.5, "broken"));
        farm.drop("unknown.json", addDifference("unknown", TinyModel.NAME, TinyModel.NAME, "tyni", 1, "never"));
        farm.runUntilIdle();

        JobEvent.Failed failed = (JobEvent.Failed) last(farm.events.of("arch"));
        System.out.println("another architecture: " + failed.toJson());
        assertEquals(ModelMerger.MERGE_FAILED, failed.error().code());
        assertTrue(failed.error().message().startsWith("the models [tiny, shallower] cannot be merged: the checkpoints "
                + "are of different architectures: B " + models.resolve("shallower.safetensors") + " lacks 16 text encoder "
                + "tensors of A "), failed.error().message());
        JobEvent.Failed unreadable = (JobEvent.Failed) last(farm.events.of("incomplete"));
        System.out.println("an incomplete checkpoint: " + unreadable.toJson());
        assertEquals(ModelMerger.MODEL_UNAVAILABLE, unreadable.error().code());
        assertEquals(Optional.of("b"), unreadable.error().field());
        assertTrue(unreadable.error().message().startsWith("b = \"lacking\": "), unreadable.error().message());
        JobEvent.Rejected rejected = (JobEvent.Rejected) last(farm.events.of("unknown"));
        assertEquals(Optional.of("c"), rejected.error().field());
        assertEquals("c = \"tyni\": expected a model this farm has: lacking, shallower, tiny", rejected.error().message());
        assertEquals(List.of("lacking.safetensors", "shallower.safetensors", "tiny"), entries(models));
    }

    private static JobEvent last(List<JobEvent> events) {
        return events.get(events.size() - 1);
    }

    private static List<String> inputs(JsonNode record) {
        List<String> inputs = new ArrayList<>();
        record.get("inputs").forEach(input -> inputs.add(input.get("field").asText() + ":" + input.get("model").asText()
                + ":" + input.get("sha256").asText()));
        return inputs;
    }

    /** The names in {@code folder}, sorted, with "." standing for any hidden file. */
    private static List<String> entries(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return new TreeSet<>(files.map(file -> file.getFileName().toString())
                    .map(name -> name.startsWith(".") ? "." : name).toList()).stream().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Same tensor names, types, shapes and bits (floats by their raw bits, so -0 differs from +0). */
    private static void assertSameTensors(Path expectedFile, Path actualFile) {
        try (SafetensorsFile expected = SafetensorsFile.open(expectedFile);
             SafetensorsFile actual = SafetensorsFile.open(actualFile)) {
            assertEquals(new TreeSet<>(expected.names()), new TreeSet<>(actual.names()));
            for (String key : expected.names()) {
                assertEquals(expected.info(key).dtype(), actual.info(key).dtype(), key);
                assertArrayEquals(expected.info(key).shape(), actual.info(key).shape(), key);
                if (expected.info(key).dtype() == DType.I64) {
                    assertArrayEquals(expected.longs(key), actual.longs(key), key);
                } else {
                    assertArrayEquals(rawBits(expected.floats(key)), rawBits(actual.floats(key)), key);
                }
            }
        }
    }

    private static int[] rawBits(float[] values) {
        int[] bits = new int[values.length];
        for (int i = 0; i < values.length; i++) {
            bits[i] = Float.floatToRawIntBits(values[i]);
        }
        return bits;
    }

    /** The tiny checkpoint with every float weight times {@code factor}. */
    private static void writeScaledCheckpoint(Path file, float factor) throws IOException {
        rewriteCheckpoint(file, factor, Optional.empty());
    }

    /** The tiny checkpoint less the tensors whose names start with {@code dropped}. */
    private static void writeCheckpointWithout(Path file, String dropped) throws IOException {
        rewriteCheckpoint(file, 1, Optional.of(dropped));
    }

    private static void rewriteCheckpoint(Path file, float factor, Optional<String> dropped) throws IOException {
        try (SafetensorsFile model = SafetensorsFile.open(tinyCheckpoint())) {
            SafetensorsWriter writer = new SafetensorsWriter();
            for (String key : model.names()) {
                if (dropped.filter(key::startsWith).isPresent()) {
                    continue;
                }
                if (model.info(key).dtype() == DType.I64) {
                    writer.add(key, model.longs(key), model.info(key).shape());
                } else {
                    float[] values = model.floats(key);
                    for (int i = 0; i < values.length; i++) {
                        values[i] *= factor;
                    }
                    writer.add(key, values, model.info(key).shape());
                }
            }
            writer.write(file);
        }
    }
}

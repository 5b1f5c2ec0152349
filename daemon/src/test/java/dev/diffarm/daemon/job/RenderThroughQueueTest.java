package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.api.Progress;
import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TinyEngine;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.gallery.JobGallery;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.Plan;
import dev.diffarm.farm.config.TaskSpec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Jobs through the embedded queue and store, rendered by the engine on the tiny model. */
class RenderThroughQueueTest {
    private static final String CATS_AND_DOGS = "[\"a cat in a hat\", \"a dog on a log\"]";

    @RegisterExtension
    static final TinyEngine tiny = new TinyEngine();

    @TempDir
    Path local;
    private final List<String> rendered = Collections.synchronizedList(new ArrayList<>());

    @Test
    void rendersEveryTaskThenTheOverviewWithEventsInOrder() throws Exception {
        LocalFarm farm = new LocalFarm(local, tiny.models(), tiny.noting(rendered));
        String json = TinyModel.renderJob("cats", CATS_AND_DOGS, "[1, 2]", 3);
        farm.drop("cats.json", json);
        farm.runUntilIdle();

        Plan plan = ((ImageJob) new JobParser().parse(json).orElseThrow()).plan();
        assertEquals(plan.keys(), rendered, "every task rendered once, in plan order");
        String modelHash = ModelHash.shortHash(TinyModel.source());
        for (TaskSpec task : plan.tasks()) {
            Path png = local.resolve("outputs").resolve(task.key());
            String expected = task.parameters().prompt() + "\nSteps: 3, Sampler: Euler a, CFG scale: 7, Seed: "
                    + task.parameters().seed() + ", Size: 32x32, Model hash: " + modelHash + ", Model: tiny";
            assertEquals(Optional.of(expected), PngReader.readParameters(png), task.key());
            assertEquals(task.sidecarJson(), new String(farm.object(task.sidecarKey()), StandardCharsets.UTF_8));
        }
        assertEquals("a cat in a hat\nSteps: 3, Sampler: Euler a, CFG scale: 7, Seed: 2, Size: 32x32, Model hash: "
                + modelHash + ", Model: tiny", PngReader.readParameters(local.resolve("outputs/jobs/cats/t0001.png")).orElseThrow());

        BufferedImage sheet = ImageIO.read(new ByteArrayInputStream(farm.object("jobs/cats/contact-sheet-0001.png")));
        assertNotNull(sheet, "the contact sheet is a PNG");
        String index = new String(farm.object("jobs/cats/" + JobGallery.INDEX), StandardCharsets.UTF_8);
        assertTrue(index.contains("<a href=\"page-0001.html\"><img src=\"contact-sheet-0001.png\""), index);
        String page = new String(farm.object("jobs/cats/page-0001.html"), StandardCharsets.UTF_8);
        for (TaskSpec task : plan.tasks()) {
            assertTrue(page.contains("<a href=\"" + task.id() + ".png\"><img src=\"thumbs/" + task.id() + ".png\""), page);
            assertArrayEquals(farm.object(task.key()), farm.object(task.thumbnailKey()),
                    "a 32x32 image is its own thumbnail");
        }

        List<JobEvent> events = farm.events.of("cats");
        List<String> expectedMilestones = List.of("accepted", "task-completed", "task-completed", "task-completed",
                "task-completed", "completed");
        assertEquals(expectedMilestones, farm.events.milestones("cats"));
        List<JobEvent.TaskCompleted> completions = events.stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(JobEvent.TaskCompleted.class::cast).toList();
        assertEquals(plan.keys(), completions.stream().map(JobEvent.TaskCompleted::key).toList());
        assertTrue(completions.stream().noneMatch(JobEvent.TaskCompleted::skipped));
        List<String> progress = events.stream().filter(JobEvent.Progress.class::isInstance).map(JobEvent.Progress.class::cast)
                .map(p -> p.taskId() + ":" + p.step() + "/" + p.steps()).toList();
        assertEquals(List.of("t0000:1/3", "t0000:2/3", "t0000:3/3", "t0001:1/3", "t0001:2/3", "t0001:3/3",
                "t0002:1/3", "t0002:2/3", "t0002:3/3", "t0003:1/3", "t0003:2/3", "t0003:3/3"), progress);
        List<String> allKeys = new ArrayList<>(plan.keys());
        allKeys.add("jobs/cats/contact-sheet-0001.png");
        allKeys.add("jobs/cats/page-0001.html");
        allKeys.add("jobs/cats/index.html");
        assertEquals(new JobEvent.Completed("cats", allKeys), events.get(events.size() - 1));

        List<String> logged = Files.readAllLines(local.resolve("events.jsonl"));
        assertEquals(farm.events.all().stream().map(JobEvent::toJson).toList(), logged, "events.jsonl has every event");
        assertTrue(Files.isRegularFile(local.resolve("done/cats.json")), "the queue file is settled");
        JobStatus status = farm.registry.find("cats").orElseThrow().status();
        assertEquals("completed", status.state());
        assertEquals(4, status.tasksCompleted());
        assertEquals(allKeys, status.keys());
        assertEquals(4.0, farm.meters.get("diffarm.tasks").tag("outcome", "rendered").counter().count());
    }

    @Test
    void anImageIsPixelIdenticalToTheEnginesWithTheSameParameters() throws Exception {
        LocalFarm farm = new LocalFarm(local, tiny.models(), tiny.noting(rendered));
        farm.drop("cats.json", TinyModel.renderJob("pixels", CATS_AND_DOGS, "[1, 2]", 3));
        farm.runUntilIdle();

        RgbImage direct;
        try (StableDiffusion model = StableDiffusion.load(TinyModel.source(), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment())) {
            // t0003: the second prompt with the second seed
            GenerationRequest request = new GenerationRequest("a dog on a log", "", "Euler a", 3, 7.0, 2, 32, 32, 1, 1,
                    Emphasis.ORIGINAL);
            direct = new Generator(TestPlugins.samplers()).generate(model, "0000000000", request, Progress.NONE)
                    .images().get(0).pixels();
        }
        Path expected = local.resolve("direct.png");
        PngWriter.write(direct, "direct", expected);
        RgbImage fromDaemon = PngReader.readImage(local.resolve("outputs/jobs/pixels/t0003.png"));
        RgbImage fromEngine = PngReader.readImage(expected);
        int differing = 0;
        for (int i = 0; i < fromEngine.chw().length; i++) {
            differing += fromEngine.chw()[i] == fromDaemon.chw()[i] ? 0 : 1;
        }
        System.out.printf("daemon vs the engine, 32x32 Euler a 3 steps: %d of %d channel values differ%n", differing,
                fromEngine.chw().length);
        assertEquals(0, differing);
    }

    @Test
    void aRedeliveredJobRendersOnlyWhatIsMissing() throws Exception {
        LocalFarm before = new LocalFarm(local, tiny.models(), tiny.noting(rendered));
        // The first half of the job's plan: same id, same first prompt and seeds, so the same keys and hashes.
        before.drop("half.json", TinyModel.renderJob("resume", "[\"a cat in a hat\"]", "[1, 2]", 2));
        before.runUntilIdle();
        String whole = TinyModel.renderJob("resume", CATS_AND_DOGS, "[1, 2]", 2);
        before.drop("resume.json", whole);
        assertTrue(before.queue.poll(Duration.ZERO).isPresent(), "taken into processing/");
        // The daemon dies here, with the job in processing/ and half of its images stored.
        rendered.clear();

        LocalFarm after = new LocalFarm(local, tiny.models(), tiny.noting(rendered));
        after.runUntilIdle();

        assertEquals(List.of("jobs/resume/t0002.png", "jobs/resume/t0003.png"), rendered, "only the missing tasks");
        List<Boolean> skipped = after.events.of("resume").stream().filter(JobEvent.TaskCompleted.class::isInstance)
                .map(event -> ((JobEvent.TaskCompleted) event).skipped()).toList();
        assertEquals(List.of(true, true, false, false), skipped);
        assertEquals("completed", after.events.milestones("resume").get(5));
        assertEquals(List.of("jobs/resume/contact-sheet-0001.png", "jobs/resume/index.html",
                "jobs/resume/page-0001.html", "jobs/resume/t0000.json", "jobs/resume/t0000.png", "jobs/resume/t0001.json",
                "jobs/resume/t0001.png", "jobs/resume/t0002.json", "jobs/resume/t0002.png", "jobs/resume/t0003.json",
                "jobs/resume/t0003.png", "jobs/resume/thumbs/t0000.png", "jobs/resume/thumbs/t0001.png",
                "jobs/resume/thumbs/t0002.png", "jobs/resume/thumbs/t0003.png"), after.store.list("jobs/resume/"));
        assertEquals(List.of(), names(local.resolve("processing")), "nothing left unsettled");

        rendered.clear();
        after.drop("again.json", whole);
        after.runUntilIdle();
        assertEquals(List.of(), rendered, "delivered once more: nothing rendered");

        after.drop("more-steps.json", TinyModel.renderJob("resume", CATS_AND_DOGS, "[1, 2]", 3));
        after.runUntilIdle();
        assertEquals(4, rendered.size(), "other parameters under the same keys: rendered again");
    }

    @Test
    void badInputIsRejectedOrDeadLetteredAndTheNextJobStillRenders() throws Exception {
        LocalFarm farm = new LocalFarm(local, tiny.models(), tiny.noting(rendered));
        farm.drop("a.json", "this is { not json");
        farm.drop("b.json", "{\"hello\": \"world\"}");
        farm.drop("c.json", TinyModel.renderJob("bad-steps", "[\"x\"]", "[1]", -1));
        farm.drop("d.json", TinyModel.renderJob("bad-width", "[\"x\"]", "[1]", 2).replace("\"width\": 32", "\"width\": 100000"));
        farm.drop("e.json", TinyModel.renderJob("bad-sampler", "[\"x\"]", "[1]", 2).replace("\"Euler a\"", "\"Eular a\""));
        farm.drop("f.json", TinyModel.renderJob("bad-model", "[\"x\"]", "[1]", 2).replace("\"tiny\"", "\"no-such-model\""));
        farm.drop("g.json", TinyModel.renderJob("good", "[\"a cat in a hat\"]", "[7]", 2));
        System.gc();
        assertEquals(7.0, farm.meters.get("diffarm.queue.depth").gauge().value(), "the queue depth gauge outlives a GC");
        farm.runUntilIdle();

        String notJson = Files.readString(local.resolve("dlq/a.json.reason.txt"));
        assertTrue(notJson.startsWith("not-json: not JSON ("), notJson);
        String noJob = Files.readString(local.resolve("dlq/b.json.reason.txt"));
        assertTrue(noJob.contains("apiVersion is missing"), noJob);
        assertRejected(farm, "bad-steps", "steps", "steps = -1: expected an integer in 1..1000");
        assertRejected(farm, "bad-width", "width", "width = 100000: expected");
        assertRejected(farm, "bad-sampler", "sampler", "sampler = \"Eular a\": expected a sampler this farm has: DDIM,");
        assertRejected(farm, "bad-model", "model", "model = \"no-such-model\": expected a model this farm has: tiny");
        List<JobEvent> anonymous = farm.events.all().stream().filter(event -> event.recordKey().isEmpty()).toList();
        assertEquals(2, anonymous.size(), "the dead letters are reported too: " + anonymous);
        assertEquals("not-json", ((JobEvent.Rejected) anonymous.get(0)).error().code());

        assertEquals(List.of("accepted", "task-completed", "completed"), farm.events.milestones("good"));
        assertEquals(List.of("c.json", "d.json", "e.json", "f.json", "g.json"), names(local.resolve("done")));
        assertEquals("rejected", farm.registry.find("bad-model").orElseThrow().status().state());
    }

    private static void assertRejected(LocalFarm farm, String jobId, String field, String messageStart) {
        List<JobEvent> events = farm.events.of(jobId);
        assertEquals(1, events.size(), jobId + ": " + events);
        JobEvent.Rejected rejected = (JobEvent.Rejected) events.get(0);
        assertEquals(Optional.of(field), rejected.error().field(), rejected.toJson());
        assertTrue(rejected.error().message().startsWith(messageStart), rejected.error().message());
    }

    private static List<String> names(Path dir) throws IOException {
        try (var files = Files.list(dir)) {
            return files.map(file -> file.getFileName().toString()).sorted().toList();
        }
    }
}

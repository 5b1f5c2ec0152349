package dev.diffarm.daemon.job;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.api.Progress;
import dev.diffarm.daemon.LocalFarm;
import dev.diffarm.daemon.TestPlugins;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.daemon.render.EmbeddingDirectory;
import dev.diffarm.daemon.render.EngineRenderer;
import dev.diffarm.daemon.render.LoraDirectory;
import dev.diffarm.daemon.render.ModelCache;
import dev.diffarm.daemon.render.ModelDirectory;
import dev.diffarm.daemon.render.RenderException;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.PngReader;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.farm.config.JobEvent;
import dev.diffarm.farm.config.ImageJob;
import dev.diffarm.farm.config.JobParser;
import dev.diffarm.farm.config.TaskSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Jobs and campaign styles with LoRAs, rendered by the engine on the tiny model with the engine's LoRA fixture
 * {@code lora-a} linked into the farm's LoRA folder.
 */
class LoraJobsTest {
    private static final String PROMPT = "a cat in a hat";
    private static final String LORA_A = "[{\"name\": \"lora-a\", \"weight\": 0.8}]";
    /** AUTOMATIC1111's short hash of the fixture, as the engine's LoraHashTest has it. */
    private static final String LORA_A_HASH = "c620b50f7005";

    @TempDir
    static Path shared;
    private static Path models;
    private static Path loras;
    private static ModelCache modelCache;
    /** The engine's image of {@link #PROMPT}, seed 1, with lora-a fused at 0.8, read back from its PNG. */
    private static RgbImage withLoraA;

    @TempDir
    Path local;

    @BeforeAll
    static void setUp() throws IOException {
        models = TinyModel.modelsDir(shared.resolve("models"));
        loras = Files.createDirectories(shared.resolve("loras"));
        Path loraA = Files.createSymbolicLink(loras.resolve("lora-a.safetensors"),
                TinyModel.source().getParent().resolve("lora-a.safetensors"));
        modelCache = new ModelCache(new ModelDirectory(models), TokenizerLocator.fromEnvironment());
        try (StableDiffusion model = StableDiffusion.load(TinyModel.source(), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment())) {
            GenerationRequest request = new GenerationRequest(PROMPT, "", "Euler a", 3, 7.0, 1, 32, 32, 1, 1,
                    Emphasis.ORIGINAL).withLoras(List.of(new LoraRequest("lora-a", loraA, 0.8)));
            RgbImage rendered = new Generator(TestPlugins.samplers()).generate(model, "0000000000", request, Progress.NONE)
                    .images().get(0).pixels();
            // Through a PNG, as the daemon's images are: a PNG holds 8-bit values.
            Path png = shared.resolve("text-to-image-lora-a.png");
            PngWriter.write(rendered, "direct", png);
            withLoraA = PngReader.readImage(png);
        }
    }

    @AfterAll
    static void unload() {
        modelCache.close();
    }

    @Test
    void aJobsLorasAreFusedForItsRenderOnlyAndRecordedInThePng() throws Exception {
        LocalFarm farm = farm();
        farm.drop("1.json", job("plain-before", ""));
        farm.drop("2.json", job("styled", ", \"loras\": " + LORA_A));
        farm.drop("3.json", job("plain-after", ""));
        farm.runUntilIdle();

        Path styled = local.resolve("outputs/jobs/styled/t0000.png");
        assertEquals(PROMPT + "\nSteps: 3, Sampler: Euler a, CFG scale: 7, Seed: 1, Size: 32x32, Model hash: "
                        + ModelHash.shortHash(TinyModel.source()) + ", Model: tiny, Lora hashes: \"lora-a: " + LORA_A_HASH + "\"",
                PngReader.readParameters(styled).orElseThrow());
        assertPixelIdentical("job with lora-a 0.8 vs the engine with it fused", withLoraA, PngReader.readImage(styled));

        byte[] before = farm.object("jobs/plain-before/t0000.png");
        byte[] after = farm.object("jobs/plain-after/t0000.png");
        assertFalse(PngReader.readParameters(local.resolve("outputs/jobs/plain-after/t0000.png")).orElseThrow()
                .contains("Lora hashes"));
        assertArrayEquals(before, after, "the model's own weights are back after the LoRA job");
        assertTrue(countDiffering(PngReader.readImage(local.resolve("outputs/jobs/plain-after/t0000.png")), withLoraA) > 0,
                "the LoRA changes the image");
    }

    @Test
    void aLoraTagInThePromptIsFusedAsTheLorasFieldIs() throws Exception {
        LocalFarm farm = farm();
        farm.drop("1.json", TinyModel.renderJob("tagged", "[\"" + PROMPT + " <lora:lora-a:0.8>\"]", "[1]", 3));
        farm.runUntilIdle();

        Path tagged = local.resolve("outputs/jobs/tagged/t0000.png");
        assertPixelIdentical("prompt tag <lora:lora-a:0.8> vs the engine with lora-a fused", withLoraA,
                PngReader.readImage(tagged));
        assertTrue(PngReader.readParameters(tagged).orElseThrow().endsWith(", Lora hashes: \"lora-a: " + LORA_A_HASH + "\""));
    }

    @Test
    void aCampaignStylesLorasApplyToThatStyleOnly() throws Exception {
        LocalFarm farm = farm();
        String campaign = """
                {"apiVersion": "diffarm/v1", "kind": "campaign", "id": "styles", "model": "tiny",
                 "prompts": ["%s"], "seeds": [1], "sizes": [{"width": 32, "height": 32}], "steps": 3,
                 "sampler": "Euler a", "cfg": 7.0,
                 "styles": [{"name": "bare", "template": "{prompt}"},
                            {"name": "brushed", "template": "{prompt}", "loras": %s}]}
                """.formatted(PROMPT, LORA_A);
        farm.drop("campaign.json", campaign);
        farm.runUntilIdle();

        assertEquals("completed", farm.events.milestones("styles").get(farm.events.milestones("styles").size() - 1));
        for (TaskSpec task : ((ImageJob) new JobParser().parse(campaign).orElseThrow()).plan().tasks()) {
            Path png = local.resolve("outputs").resolve(task.key());
            boolean brushed = task.style().orElseThrow().equals("brushed");
            assertEquals(brushed, PngReader.readParameters(png).orElseThrow().contains("Lora hashes: \"lora-a: "
                    + LORA_A_HASH + "\""), task.key());
            int differing = countDiffering(withLoraA, PngReader.readImage(png));
            System.out.printf("campaign style %s vs the engine with lora-a 0.8: %d channel values differ%n",
                    task.style().orElseThrow(), differing);
            assertEquals(brushed, differing == 0, task.key());
        }
    }

    @Test
    void anUnknownLoraIsRejectedNamingItsField() {
        LocalFarm farm = farm();
        farm.drop("job.json", job("unknown", ", \"loras\": [{\"name\": \"lora-z\", \"weight\": 0.5}]"));
        farm.runUntilIdle();

        JobEvent.Rejected rejected = (JobEvent.Rejected) farm.events.of("unknown").get(0);
        assertEquals(Optional.of("loras[0].name"), rejected.error().field(), rejected.toJson());
        assertTrue(rejected.error().message().startsWith("loras[0].name = \"lora-z\": expected a LoRA this farm has: "
                + "lora-a"), rejected.error().message());
        assertEquals(List.of(), farm.store.list("jobs/unknown/"));
    }

    @Test
    void aLoraGoneBetweenIntakeAndRenderFailsTheJobNamingIt() throws IOException {
        Path ownLoras = Files.createDirectories(local.resolve("own-loras"));
        Path link = Files.createSymbolicLink(ownLoras.resolve("lora-a.safetensors"),
                loras.resolve("lora-a.safetensors").toRealPath());
        EngineRenderer engine = new EngineRenderer(modelCache, TestPlugins.samplers(), new LoraDirectory(ownLoras),
                new EmbeddingDirectory(local.resolve("embeddings")));
        LocalFarm farm = new LocalFarm(local, models, ownLoras, (task, progress) -> {
            deleteUnchecked(link);
            return engine.render(task, progress);
        });
        farm.drop("job.json", job("gone", ", \"loras\": " + LORA_A));
        farm.runUntilIdle();

        JobEvent.Failed failed = (JobEvent.Failed) farm.events.of("gone").get(farm.events.of("gone").size() - 1);
        assertEquals(RenderException.LORA_UNAVAILABLE, failed.error().code(), failed.toJson());
        assertTrue(failed.error().message().contains("LoRA 'lora-a' not found"), failed.error().message());
    }

    private static void deleteUnchecked(Path file) {
        try {
            Files.delete(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private LocalFarm farm() {
        return new LocalFarm(local, models, loras,
                new EngineRenderer(modelCache, TestPlugins.samplers(), new LoraDirectory(loras),
                        new EmbeddingDirectory(local.resolve("embeddings"))));
    }

    /** A one-image render job of {@link #PROMPT} with seed 1, and {@code extra} fields. */
    private static String job(String id, String extra) {
        return TinyModel.renderJob(id, "[\"" + PROMPT + "\"]", "[1]", 3).replace("\"cfg\": 7.0}", "\"cfg\": 7.0" + extra + "}");
    }

    private static void assertPixelIdentical(String what, RgbImage expected, RgbImage actual) {
        int differing = countDiffering(expected, actual);
        System.out.printf("%s: %d of %d channel values differ%n", what, differing, expected.chw().length);
        assertEquals(0, differing, what);
    }

    private static int countDiffering(RgbImage a, RgbImage b) {
        int differing = 0;
        for (int i = 0; i < a.chw().length; i++) {
            differing += a.chw()[i] == b.chw()[i] ? 0 : 1;
        }
        return differing;
    }
}

package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Progress;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.TestSamplers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Several tasks rendered as one UNet batch give each task the image it gets alone: prompts, negative prompts, seeds
 * and guidance scales all differ, on samplers that draw no noise (DDIM), draw it per step (Euler a) and draw it per
 * step from an SDE (DPM++ 2M SDE).
 */
class GenerationBatchTest {
    /**
     * Relative to the max |value| of the render alone. A batched UNet call sums in another order than a call of one
     * row, so the batched latents are not bit for bit the same; an error in the noise order, a row's scale or its
     * conditioning would show as 1e-1 or more.
     */
    private static final double TOLERANCE = 1e-4;
    private static final Path SD_TINY = Fixtures.sdTiny("model").getParent();
    private static StableDiffusion model;

    @BeforeAll
    static void load() {
        model = Fixtures.tinyModel();
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationRequest request(String sampler, String prompt, String negative, double cfg, long seed) {
        return new GenerationRequest(prompt, negative, sampler, 7, cfg, seed, 32, 32, 1, 1, Emphasis.ORIGINAL);
    }

    /** Three tasks; the second edits its prompt at step 3, so the stacked conditioning changes within the run. */
    private static List<GenerationRequest> threeTasks(String sampler) {
        return List.of(request(sampler, "a painting of a cat in the snow", "ugly, blurry", 7.5, 2551426893L),
                request(sampler, "a photo of [a dog:a cat:3] on a hill", "", 5.0, 42),
                request(sampler, "a red house", "blurry", 9.0, 7));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {"Euler a", "DPM++ 2M SDE", "DDIM"})
    void eachTaskOfABatchGetsTheImageItGetsAlone(String sampler) throws IOException {
        assertBatchedEqualsAlone(sampler, threeTasks(sampler));
    }

    @Test
    void promptsOfMoreChunksRunApartWithinTheOneCall() throws IOException {
        String longPrompt = String.join(", ", java.util.Collections.nCopies(30, "a painting of a cat"));
        List<GenerationRequest> requests = new ArrayList<>(threeTasks("Euler a"));
        requests.add(1, request("Euler a", longPrompt, "", 6.0, 11));
        AtomicInteger steps = new AtomicInteger();
        Generator generator = new Generator(TestSamplers.plugins());
        List<GenerationPlan> plans = requests.stream().map(generator::plan).toList();

        GenerationBatch.run(plans, model, "0123456789", new Progress() {
            @Override
            public void onStep(int step, int total, NDArray x) {
                steps.incrementAndGet();
            }
        });

        assertEquals(14, steps.get(), "two sub-batches (1 chunk: 3 tasks, 2 chunks: 1 task) of 7 steps each");
        assertBatchedEqualsAlone("Euler a", requests);
    }

    private static void assertBatchedEqualsAlone(String sampler, List<GenerationRequest> requests) throws IOException {
        Generator generator = new Generator(TestSamplers.plugins());
        List<GenerationPlan> plans = requests.stream().map(generator::plan).toList();
        List<Generation> batched = GenerationBatch.run(plans, model, "0123456789", Progress.NONE);

        assertEquals(requests.size(), batched.size());
        for (int i = 0; i < requests.size(); i++) {
            Generation alone = generator.generate(model, "0123456789", requests.get(i), Progress.NONE);
            Generation together = batched.get(i);
            assertArrayEquals(alone.latentShape(), together.latentShape());
            Parity.assertClose(sampler + " task " + i + " batched vs alone, final latents", alone.latents(),
                    together.latents(), TOLERANCE);
            Parity.assertClose(sampler + " task " + i + " batched vs alone, image",
                    alone.images().get(0).pixels().chw(), together.images().get(0).pixels().chw(), TOLERANCE);
            assertEquals(alone.images().get(0).infotext(), together.images().get(0).infotext());
        }
        // the tasks are different images: a batch that gave every row the first task's noise would fail here
        assertNotEquals(batched.get(0).latents()[0], batched.get(1).latents()[0]);
    }

    @Test
    void stackedNoiseDrawsEachTasksRowsFromItsOwnGenerator() {
        try (NDManager manager = NDManager.newBaseManager()) {
            StackedNoise noise = new StackedNoise(List.of(new TorchGenerator(1), new TorchGenerator(2)), new int[] {1, 2});
            TorchGenerator one = new TorchGenerator(1);
            TorchGenerator two = new TorchGenerator(2);
            for (int draw = 0; draw < 3; draw++) {
                float[] stacked = noise.next(manager, new Shape(3, 4, 5, 3)).toFloatArray();
                float[] expected = concat(one.randn(1, 4, 5, 3), two.randn(2, 4, 5, 3));
                assertArrayEquals(expected, stacked, "draw " + draw);
            }
            IllegalArgumentException wrongRows = assertThrows(IllegalArgumentException.class,
                    () -> noise.next(manager, new Shape(2, 4)));
            assertEquals("noise of shape (2, 4) asked of a batch of 3 rows: expected a shape whose first dimension is 3",
                    wrongRows.getMessage());
        }
    }

    private static float[] concat(float[] a, float[] b) {
        float[] both = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, both, a.length, b.length);
        return both;
    }

    @Test
    void onlyTxt2imgPlansOfOneSamplerSizeGuidanceAndLorasShareAKey() {
        Generator generator = new Generator(TestSamplers.plugins(), dev.diffarm.engine.embedding.EmbeddingLibrary.none(),
                Optional.of(SD_TINY));
        GenerationRequest base = request("Euler a", "a cat", "", 7.5, 1);
        BatchKey key = GenerationBatch.key(generator.plan(base)).orElseThrow();

        assertEquals(key, GenerationBatch.key(generator.plan(request("Euler a", "a dog", "ugly", 4, 99))).orElseThrow());
        assertNotEquals(key, GenerationBatch.key(generator.plan(request("DDIM", "a cat", "", 7.5, 1))).orElseThrow());
        assertNotEquals(key, GenerationBatch.key(generator.plan(request("Euler a", "a cat", "", 1.0, 1))).orElseThrow(),
                "a scale of 1 skips the negative prompt's half");
        assertNotEquals(key, GenerationBatch.key(generator.plan(request("Euler a", "a cat <lora:lora-a:0.5>", "", 7.5, 1)))
                .orElseThrow());
        assertNotEquals(key, GenerationBatch.key(generator.plan(base.withLoras(
                List.of(new LoraRequest("b", SD_TINY.resolve("lora-b.safetensors"), 1.0))))).orElseThrow());
        assertNotEquals(key, GenerationBatch.key(generator.plan(base.withEta(OptionalDouble.of(0.5)))).orElseThrow());
        assertEquals(Optional.empty(), GenerationBatch.key(generator.plan(base.withInit(Optional.of(
                new InitImage(new RgbImage(32, 32, new float[3 * 32 * 32]), 0.5, ResizeMode.JUST_RESIZE))))));

        IllegalArgumentException mixed = assertThrows(IllegalArgumentException.class, () -> GenerationBatch.run(
                List.of(generator.plan(base), generator.plan(request("DDIM", "a cat", "", 7.5, 1))), model, "0", Progress.NONE));
        assertTrue(mixed.getMessage().startsWith("plan 1 of the batch has key BatchKey[sampler=DDIM"), mixed.getMessage());
    }
}

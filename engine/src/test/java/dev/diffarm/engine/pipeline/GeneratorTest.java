package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.diffarm.api.Progress;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.lora.LoraException;
import dev.diffarm.engine.lora.LoraRequest;
import dev.diffarm.engine.nn.Autograd;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.TestSamplers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * What the one generation call adds to the txt2img math (whose parity {@link TextToImageParityTest} checks): the
 * checks a plan makes before any model is loaded, the order of the LoRAs, the infotext of a batch, and that the
 * thread a model is loaded and rendered on changes nothing.
 */
class GeneratorTest {
    private static final Path SD_TINY = Fixtures.sdTiny("model").getParent();

    private static GenerationRequest request(String prompt) {
        return new GenerationRequest(prompt, "", "Euler a", 2, 7.0, 3, 32, 32, 1, 1, Emphasis.ORIGINAL);
    }

    private static Generator withLoraFolder() {
        return new Generator(TestSamplers.plugins(), EmbeddingLibrary.none(), Optional.of(SD_TINY));
    }

    @Test
    void thePromptsLoraTagsAreFusedAfterTheRequestsOwn() {
        GenerationRequest request = request("a cat <lora:lora-a:0.5>")
                .withLoras(List.of(new LoraRequest("b", SD_TINY.resolve("lora-b.safetensors"), 1.0)));

        assertEquals(List.of(new LoraRequest("b", SD_TINY.resolve("lora-b.safetensors"), 1.0),
                        new LoraRequest("lora-a", SD_TINY.resolve("lora-a.safetensors").toAbsolutePath(), 0.5)),
                withLoraFolder().plan(request).loras());
    }

    @Test
    void aPlanRefusesWhatNoModelCanFix() {
        IllegalArgumentException noFolder = assertThrows(IllegalArgumentException.class,
                () -> new Generator(TestSamplers.plugins()).plan(request("a cat <lora:lora-a:0.5>")));
        assertEquals("the prompt names <lora:lora-a:0.5>, but no LoRA folder says where named LoRAs are",
                noFolder.getMessage());
        LoraException missing = assertThrows(LoraException.class, () -> withLoraFolder().plan(request("<lora:nope>")));
        assertTrue(missing.getMessage().startsWith("LoRA 'nope' not found"), missing.getMessage());
        IllegalArgumentException schedule = assertThrows(IllegalArgumentException.class,
                () -> withLoraFolder().plan(request("a cat").withSchedule(Optional.of("linear"))));
        assertTrue(schedule.getMessage().startsWith("unknown schedule 'linear'"), schedule.getMessage());
    }

    @Test
    void aBatchsImagesShareTheirInfotextButTheirPosition() throws IOException {
        GenerationRequest request = new GenerationRequest("a cat", "", "Euler a", 2, 7.0, 3, 32, 32, 2, 1,
                Emphasis.ORIGINAL);
        try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment())) {
            Generation generation = new Generator(TestSamplers.plugins()).generate(model, "0123456789", request,
                    Progress.NONE);

            assertArrayEquals(new long[] {2, 4, 16, 16}, generation.latentShape());
            assertEquals(2, generation.images().size());
            for (int i = 0; i < 2; i++) {
                assertEquals("a cat\nSteps: 2, Sampler: Euler a, CFG scale: 7, Seed: 3, Size: 32x32, Model hash: "
                                + "0123456789, Model: model, Batch size: 2, Batch pos: " + i,
                        generation.images().get(i).infotext());
            }
            assertEquals(List.of(), generation.warnings());
        }
    }

    @Test
    void aRenderOnAThreadWhoseGradModeIsOnRecordsNoGradients() throws Exception {
        List<Boolean> recordingAtSteps = new CopyOnWriteArrayList<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment())) {
            // A worker thread: libtorch's grad mode is per thread and on by default there.
            Thread worker = new Thread(() -> {
                try {
                    JniUtils.setGradMode(true);
                    new Generator(TestSamplers.plugins()).generate(model, "0123456789", request("a cat"), new Progress() {
                        @Override
                        public void onStep(int step, int total, NDArray x) {
                            recordingAtSteps.add(Autograd.recording());
                        }
                    });
                } catch (Throwable e) {
                    failure.set(e);
                }
            });
            worker.start();
            worker.join();
        }
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }
        assertEquals(List.of(false, false), recordingAtSteps,
                "a render must take the inference kernels, not the differentiable ones");
    }

    /**
     * The farm daemon loads and renders on a worker thread whose grad mode is on until a render turns it off; the CLI
     * on the thread that started DJL, where it is off. Both must compute the same bits (issue 12: the daemon's kernels
     * were left unpacked and its inpainting PNG was one 8-bit level off the CLI's).
     */
    @Test
    void aModelLoadedOnAThreadWhoseGradModeIsOnRendersTheBitsOfOneLoadedWithItOff() throws Exception {
        GenerationRequest request = request("a cat");
        Generation engineThread;
        try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment())) {
            engineThread = new Generator(TestSamplers.plugins()).generate(model, "0123456789", request, Progress.NONE);
        }
        AtomicReference<Generation> workerThread = new AtomicReference<>();
        AtomicReference<Throwable> failure = new AtomicReference<>();
        Thread worker = new Thread(() -> {
            JniUtils.setGradMode(true);
            try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(),
                    Optional.empty(), TokenizerLocator.fromEnvironment())) {
                workerThread.set(new Generator(TestSamplers.plugins()).generate(model, "0123456789", request,
                        Progress.NONE));
            } catch (Throwable e) {
                failure.set(e);
            }
        });
        worker.start();
        worker.join();
        if (failure.get() != null) {
            throw new AssertionError(failure.get());
        }

        assertArrayEquals(engineThread.latents(), workerThread.get().latents(), "latents");
        assertArrayEquals(engineThread.images().get(0).pixels().chw(),
                workerThread.get().images().get(0).pixels().chw(), "decoded image");
    }
}

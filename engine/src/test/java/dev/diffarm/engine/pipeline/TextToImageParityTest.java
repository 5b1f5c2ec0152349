package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.ReferenceRuns;
import dev.diffarm.engine.testing.ReferenceRuns.Run;
import dev.diffarm.engine.testing.TestSamplers;
import dev.diffarm.engine.testing.WorstErrors;
import java.io.IOException;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * txt2img through the engine's API, from the seed alone, against every one of diffusers' reference runs: each
 * sampler (loaded from its plugin) and schedule option at 7 and 20 steps, and the 34x26 runs (latent 17x13: odd UNet levels, and a noise
 * tensor whose size is not a multiple of 16), which the CLI refuses because they are not multiples of 8.
 */
class TextToImageParityTest {
    /** Relative to the reference's max |value|; correct float32 re-runs of diffusers stay within 6e-6. */
    private static final double TOLERANCE = 1e-3;
    private static final WorstErrors WORST = new WorstErrors("txt2img parity, max relative error over runs",
            "final latents", "image");
    private static StableDiffusion model;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(), TokenizerLocator.fromEnvironment());
    }

    @AfterAll
    static void close() {
        model.close();
        WORST.print();
    }

    static Stream<Run> runs() {
        return ReferenceRuns.all().stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("runs")
    void rendersTheReferenceRunFromItsSeed(Run run) throws IOException {
        GenerationRequest request = new GenerationRequest(run.prompt(), run.negativePrompt(), run.sampler(), run.steps(),
                run.cfg(), run.seed(), run.width(), run.height(), 1, 1, Emphasis.ORIGINAL);
        Generation rendering = new Generator(TestSamplers.plugins()).generate(model, "0000000000", request, Progress.NONE);
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(run.file()))) {
            assertArrayEquals(reference.info("final_latents").shape(), rendering.latentShape());
            WORST.record(run.sampler(), 0, Parity.assertClose(run + " final latents", reference.floats("final_latents"),
                    rendering.latents(), TOLERANCE));
            WORST.record(run.sampler(), 1, Parity.assertClose(run + " image", reference.floats("image"),
                    rendering.images().get(0).pixels().chw(), TOLERANCE));
        }
    }
}

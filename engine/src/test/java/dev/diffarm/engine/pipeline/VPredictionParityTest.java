package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.TestSamplers;
import java.io.IOException;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * A v-predicting model (sd2-tiny, whose scheduler config says {@code v_prediction}) rendered through the
 * {@link Generator} as any model is: the denoiser reads the prediction type from the model, the samplers never see
 * it. Against diffusers' txt2img runs of that model, from the seed alone.
 */
class VPredictionParityTest {
    private static final double TOLERANCE = 1e-4;
    private static StableDiffusion model;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.sd2Tiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @ParameterizedTest
    @CsvSource({"run-DDIM-20steps.safetensors, DDIM", "run-Euler_a-20steps.safetensors, Euler a"})
    void rendersTheV2ReferenceRun(String file, String sampler) throws IOException {
        assertEquals(Prediction.V_PREDICTION, model.prediction());
        GenerationRequest request = new GenerationRequest("a painting of a cat in the snow", "ugly, blurry", sampler,
                20, 7.5, 3055123317L, 64, 64, 1, 1, Emphasis.ORIGINAL);
        Generation generation = new Generator(TestSamplers.plugins()).generate(model, "0000000000", request,
                Progress.NONE);
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sd2Tiny(file))) {
            Parity.assertClose("sd2 v " + sampler + " final latents", reference.floats("final_latents"),
                    generation.latents(), TOLERANCE);
            Parity.assertClose("sd2 v " + sampler + " image", reference.floats("image"),
                    generation.images().get(0).pixels().chw(), TOLERANCE);
        }
    }
}

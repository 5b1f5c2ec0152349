package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.sampler.SamplerRegistry;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * txt2img through the engine's API, from the seed alone, against diffusers' runs — including the 34x26 runs
 * (latent 17x13: odd UNet levels, and a noise tensor whose size is not a multiple of 16), which the CLI refuses
 * because they are not multiples of 8.
 */
class TextToImageParityTest {
    private static StableDiffusion model;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(), TokenizerLocator.fromEnvironment());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    @ParameterizedTest
    @CsvSource({
            "run-Euler_a-20steps, Euler a, 20, 2551426893, 32, 32",
            "run-DDIM-20steps, DDIM, 20, 2551426893, 32, 32",
            "run-Euler_a-7steps-34x26, Euler a, 7, 42, 34, 26",
            "run-DDIM-7steps-34x26, DDIM, 7, 42, 34, 26"})
    void rendersTheReferenceRunFromItsSeed(String run, String sampler, int steps, long seed, int width, int height) {
        RenderRequest request = new RenderRequest("a painting of a cat in the snow", "ugly, blurry", sampler, steps, 7.5,
                seed, width, height, 1, 1, Emphasis.ORIGINAL);
        Rendering rendering = new TextToImage(model, SamplerRegistry.builtIn()).render(request, Progress.NONE);
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(run + ".safetensors"))) {
            assertArrayEquals(reference.info("final_latents").shape(), rendering.latentShape());
            Parity.assertClose(run + " final latents", reference.floats("final_latents"), rendering.latents(), 1e-3);
            Parity.assertClose(run + " image", reference.floats("image"), rendering.images().get(0).chw(), 1e-3);
        }
    }
}

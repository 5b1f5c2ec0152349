package dev.diffarm.engine.upscale.sd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.embedding.EmbeddingLibrary;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.random.TorchGenerator;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.schedule.Schedule;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.TestSamplers;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The SD x4 upscaler against diffusers' {@code StableDiffusionUpscalePipeline} run in
 * {@code upscale-x4-DDIM-20steps.safetensors} (DDIM, v-prediction, noise level 20), from the seed alone: the two
 * draws, every step's latents, the final latents and the image.
 */
class SdUpscaleParityTest {
    /** Relative to the reference's max |value|; correct float32 re-runs of diffusers stay within 6e-6. */
    private static final double TOLERANCE = 1e-4;
    private static final long SEED = 2551426898L;
    private static SdUpscaleModel upscaler;

    @BeforeAll
    static void load() {
        upscaler = SdUpscaleModel.load(Fixtures.sdTiny("upscaler"), Optional.empty(), TokenizerLocator.fromEnvironment());
    }

    @AfterAll
    static void close() {
        upscaler.close();
    }

    static Picture lowRes(SafetensorsFile reference) {
        long[] shape = reference.info("low_res_image").shape();
        return new Picture((int) shape[3], (int) shape[2], reference.floats("low_res_image"));
    }

    static SdUpscaleRequest request(Picture lowRes, int noiseLevel) {
        return new SdUpscaleRequest(lowRes, "a painting of a cat in the snow", "ugly, blurry", "DDIM", 20, 7.5, SEED,
                noiseLevel, Emphasis.ORIGINAL);
    }

    private static SdUpscaleResult upscale(SdUpscaleRequest request, Progress progress) {
        return new SdUpscale(TestSamplers.plugins(), EmbeddingLibrary.none())
                .upscale(upscaler, "0000000000", request, progress);
    }

    @Test
    void folderIsRecognisedByItsPipelineClass() {
        assertTrue(SdUpscaleModel.isUpscaler(Fixtures.sdTiny("upscaler")));
        assertFalse(SdUpscaleModel.isUpscaler(Fixtures.sdTiny("model")));
        assertEquals(350, upscaler.maxNoiseLevel());
        assertEquals(4, upscaler.scale(), "3-level VAE");
        ModelLoadException e = assertThrows(ModelLoadException.class, () -> SdUpscaleModel.load(Fixtures.sdTiny("model"),
                Optional.empty(), TokenizerLocator.fromEnvironment()));
        assertTrue(e.getMessage().contains("_class_name = \"StableDiffusionPipeline\""), e.getMessage());
    }

    @Test
    void theUpscalerIsRefusedAsARenderModel() {
        GenerationRequest txt2img = new GenerationRequest("a cat", "", "DDIM", 2, 7.5, 1, 64, 64, 1, 1,
                Emphasis.ORIGINAL);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Generator(
                TestSamplers.plugins()).generate(upscaler.model(), "0000000000", txt2img, Progress.NONE));
        assertTrue(e.getMessage().contains("its UNet takes a class label (num_class_embeds = 1000) as the SD x4 "
                + "upscaler's takes the noise level"), e.getMessage());
    }

    @Test
    void drawsTheLowResNoiseBeforeTheInitialLatents() {
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("upscale-x4-DDIM-20steps.safetensors"))) {
            TorchGenerator generator = new TorchGenerator(SEED);
            Parity.assertClose("low-res noise", reference.floats("noise000"), generator.randn(1, 3, 16, 16), 0);
            Parity.assertClose("initial latents", reference.floats("noise001"), generator.randn(1, 4, 16, 16), 0);
        }
    }

    @Test
    void matchesDiffusersStepByStep() {
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("upscale-x4-DDIM-20steps.safetensors"))) {
            Schedule run = Schedule.of(upscaler.model().schedulerConfig("DDIMScheduler", Map.of()), 20);
            List<Double> stepErrors = new ArrayList<>();
            Progress steps = new Progress() {
                @Override
                public void onStep(int step, int total, NDArray x) {
                    float[] latents = x.div((float) run.latentForm().toSigmaForm(run.sigmas().get(step + 1)))
                            .toFloatArray();
                    stepErrors.add(Parity.assertClose(String.format("sd x4 step %d", step),
                            reference.floats(String.format("latents_after_step%03d", step)), latents, TOLERANCE));
                }
            };
            SdUpscaleResult result = upscale(request(lowRes(reference), 20), steps);
            assertEquals(20, stepErrors.size());
            assertArrayEquals(reference.info("final_latents").shape(), result.latentShape());
            Parity.assertClose("sd x4 final latents", reference.floats("final_latents"), result.latents(), TOLERANCE);
            assertEquals(64, result.image().width());
            assertEquals(64, result.image().height());
            Parity.assertClose("sd x4 image", reference.floats("image"), result.image().chw(), TOLERANCE);
            for (String field : List.of("Steps: 20", "Sampler: DDIM", "CFG scale: 7.5", "Seed: 2551426898",
                    "Size: 64x64", "Model: upscaler", "Noise level: 20", "Upscale by: 4")) {
                assertTrue(result.infotext().contains(field), field + " in " + result.infotext());
            }
        }
    }

    @Test
    void aCancelStopsTheUpscaleBeforeTheNextUnetCall() {
        int[] finished = {0};
        Progress cancelAfterTwoSteps = new Progress() {
            @Override
            public void onStep(int step, int total, NDArray x) {
                finished[0]++;
            }

            @Override
            public boolean isCancelled() {
                return finished[0] >= 2;
            }
        };
        Picture grey = new Picture(16, 16, new float[3 * 16 * 16]);
        assertThrows(CancellationException.class, () -> upscale(request(grey, 20), cancelAfterTwoSteps));
        assertEquals(2, finished[0]);
    }

    @Test
    void refusesANoiseLevelAboveTheModelsMaximum() {
        Picture grey = new Picture(16, 16, new float[3 * 16 * 16]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> upscale(request(grey, 351), Progress.NONE));
        assertEquals("noise level = 351: expected 0..350 (the upscaler's max_noise_level)", e.getMessage());
    }

    @Test
    void refusesAPictureTheVaeCannotTake() {
        Picture odd = new Picture(18, 16, new float[3 * 18 * 16]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> upscale(request(odd, 20), Progress.NONE));
        assertTrue(e.getMessage().startsWith("low-res picture size = 18x16: expected multiples of the upscaler's VAE "
                + "scale factor 4"), e.getMessage());
    }
}

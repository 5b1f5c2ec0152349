package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import dev.diffarm.api.Progress;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.schedule.Schedule;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.TestSamplers;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * img2img, inpainting (normal and 9-channel UNet), outpainting and the hires fix through the engine's one path
 * ({@link Generator}), from the seed alone, against diffusers' runs in the fixtures: final latents and image.
 */
class ModesParityTest {
    /** Relative to the reference's max |value|; correct float32 re-runs of diffusers stay within 6e-6. */
    private static final double TOLERANCE = 1e-4;
    private static final String CAT = "a painting of a cat in the snow";
    private static final String UGLY = "ugly, blurry";
    private static StableDiffusion model;

    @BeforeAll
    static void load() {
        model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static GenerationRequest request(String prompt, String negative, String sampler, long seed, int width,
                                             int height) {
        return new GenerationRequest(prompt, negative, sampler, 20, 7.5, seed, width, height, 1, 1, Emphasis.ORIGINAL);
    }

    private static RgbImage image(SafetensorsFile reference, String key) {
        long[] shape = reference.info(key).shape();
        return new RgbImage((int) shape[3], (int) shape[2], reference.floats(key));
    }

    private static Generation generate(StableDiffusion on, GenerationRequest request) throws IOException {
        return generate(on, request, Progress.NONE);
    }

    private static Generation generate(StableDiffusion on, GenerationRequest request, Progress progress)
            throws IOException {
        return new Generator(TestSamplers.plugins()).generate(on, "0000000000", request, progress);
    }

    /**
     * Checks each step's latent against {@code latents_after_stepNNN}: the sampler's sigma-form latent divided by
     * {@code sqrt(1 + sigma^2)} at the level the step ended on, DDIM's variance-preserving form that diffusers holds.
     */
    private static Progress stepsMatch(String what, SafetensorsFile reference, int startStep) {
        Schedule run = Schedule.of(model.schedulerConfig("DDIMScheduler", Map.of()), 20).from(startStep);
        return new Progress() {
            @Override
            public void onStep(int step, int total, NDArray x) {
                double sigma = run.sigmas().get(step + 1);
                float[] latents = x.div((float) run.latentForm().toSigmaForm(sigma)).toFloatArray();
                Parity.assertClose(String.format("%s step %d", what, step),
                        reference.floats(String.format("latents_after_step%03d", step)), latents, TOLERANCE);
            }
        };
    }

    private static void assertMatches(String what, SafetensorsFile reference, Generation generation) {
        assertArrayEquals(reference.info("final_latents").shape(), generation.latentShape());
        Parity.assertClose(what + " final latents", reference.floats("final_latents"), generation.latents(), TOLERANCE);
        Parity.assertClose(what + " image", reference.floats("image"), generation.images().get(0).pixels().chw(),
                TOLERANCE);
    }

    @Test
    void img2imgFollowsDiffusersTimestepCut() throws IOException {
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("img2img-DDIM-20steps.safetensors"))) {
            GenerationRequest request = request(CAT, UGLY, "DDIM", 2551426894L, 32, 32)
                    .withInit(Optional.of(new InitImage(image(reference, "init_image"), 0.6, ResizeMode.JUST_RESIZE)));
            Generation generation = generate(model, request, stepsMatch("img2img", reference, 8));
            assertMatches("img2img", reference, generation);
            assertEquals(true, generation.images().get(0).infotext().contains("Denoising strength: 0.6"),
                    generation.images().get(0).infotext());
        }
    }

    @Test
    void inpaintingBlendsTheKeptAreaWithANormalUnet() throws IOException {
        try (SafetensorsFile reference = SafetensorsFile.open(
                Fixtures.sdTiny("inpaint-masked-DDIM-20steps.safetensors"))) {
            GenerationRequest request = request(CAT, UGLY, "DDIM", 2551426895L, 32, 32)
                    .withInit(Optional.of(new InitImage(image(reference, "init_image"), 0.75, ResizeMode.JUST_RESIZE)))
                    .withMask(Optional.of(InpaintMask.sharp(32, 32, reference.floats("mask"))));
            assertMatches("inpaint 4-channel", reference,
                    generate(model, request, stepsMatch("inpaint 4-channel", reference, 5)));
        }
    }

    @Test
    void inpaintingFeedsMaskAndMaskedImageToAnInpaintingUnet(@TempDir Path dir) throws IOException {
        Path combined = inpaintingModel(dir);
        try (StableDiffusion inpainting = StableDiffusion.load(combined, Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment());
             SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("inpaint-9ch-DDIM-20steps.safetensors"))) {
            assertEquals(9, inpainting.unet().config().inChannels());
            GenerationRequest request = request(CAT, UGLY, "DDIM", 2551426896L, 32, 32)
                    .withInit(Optional.of(new InitImage(image(reference, "init_image"), 1.0, ResizeMode.JUST_RESIZE)))
                    .withMask(Optional.of(InpaintMask.sharp(32, 32, reference.floats("mask"))));
            assertMatches("inpaint 9-channel", reference, generate(inpainting, request));
        }
    }

    @Test
    void outpaintingInpaintsTheReplicatedEdge() throws IOException {
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("gen-outpaint-DDIM.safetensors"))) {
            Outpaint outpaint = new Outpaint(0, 16, 0, 0);
            RgbImage init = image(reference, "init_image");
            Parity.assertClose("outpaint canvas", reference.floats("canvas"), outpaint.canvas(init).chw(), 0);
            Parity.assertClose("outpaint mask", reference.floats("mask"), outpaint.mask(init), 0);
            GenerationRequest base = request("a painting of a house and a tree in the garden", UGLY, "DDIM",
                    246813579L, 32, 32);
            assertMatches("outpaint", reference, generate(model, outpaint.request(base, init, 1.0, 0)));
        }
    }

    @Test
    void hiresFixDdimWithDiffusersStepRule() throws IOException {
        hiresFix("gen-hires-fix-DDIM.safetensors", "DDIM");
    }

    @Test
    void hiresFixEulerAncestralWithDiffusersStepRule() throws IOException {
        hiresFix("gen-hires-fix-Euler_a.safetensors", "Euler a");
    }

    private static void hiresFix(String file, String sampler) throws IOException {
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(file))) {
            GenerationRequest request = request("a photo of a cute cat sitting in the park", "blurry, lowres", sampler,
                    1357913579L, 32, 32).withHires(Optional.of(
                    new HiresFix(2, LatentUpscaler.BILINEAR, 0, 0.55, StepsRule.DIFFUSERS)));
            Generation generation = generate(model, request);
            assertMatches("hires fix " + sampler, reference, generation);
            String infotext = generation.images().get(0).infotext();
            for (String field : List.of("Size: 32x32", "Denoising strength: 0.55", "Hires upscale: 2",
                    "Hires upscaler: Latent")) {
                assertEquals(true, infotext.contains(field), field + " in " + infotext);
            }
        }
    }

    @Test
    void latentUpscaleIsTorchBilinear() {
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("gen-hires-fix-DDIM.safetensors"))) {
            float[] up = LatentUpscaler.BILINEAR.resize(reference.floats("first_pass_latents"),
                    reference.info("first_pass_latents").shape(), 32, 32);
            Parity.assertClose("latent bilinear x2", reference.floats("upscaled_latents"), up, 1e-6);
        }
    }

    /** model/ with its UNet swapped for unet-inpaint/, as the fixture's pipeline was assembled. */
    private static Path inpaintingModel(Path dir) throws IOException {
        Path base = Fixtures.sdTiny("model");
        Path combined = dir.resolve("inpaint-model");
        Files.createDirectories(combined);
        try (var entries = Files.list(base)) {
            for (Path entry : entries.toList()) {
                String name = entry.getFileName().toString();
                Files.createSymbolicLink(combined.resolve(name),
                        name.equals("unet") ? Fixtures.sdTiny("unet-inpaint") : entry);
            }
        }
        return combined;
    }
}

package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.diffarm.api.Progress;
import dev.diffarm.engine.image.ModelHash;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.SharedTinyModel;
import dev.diffarm.engine.control.ReadyControlMap;
import dev.diffarm.engine.testing.TestSamplers;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * diffusers' {@code StableDiffusionControlNetPipeline} run of the fixtures (Euler a, 20 steps, CFG 7.5,
 * conditioning scale 0.8, no guess mode) from the seed alone, through the {@link Generator} as the CLI and the
 * daemon call it: every step's latents and the final latents.
 */
class ControlNetRunParityTest {
    /** The bar for a 20-step run's final latents; correct re-runs stay within 6e-6. */
    private static final double RUN_TOLERANCE = 1e-3;
    private static final long SEED = 2551426897L;

    private static GenerationRequest request() {
        return new GenerationRequest("a painting of a cat in the snow", "ugly, blurry", "Euler a", 20, 7.5, SEED,
                32, 32, 1, 1, Emphasis.ORIGINAL);
    }

    private static RgbImage controlImage(SafetensorsFile reference) {
        long[] shape = reference.info("control_image").shape();
        return new RgbImage((int) shape[3], (int) shape[2], reference.floats("control_image"));
    }

    private static Generation generate(GenerationRequest request, Progress progress) throws IOException {
        return new Generator(TestSamplers.plugins()).generate(SharedTinyModel.get(), "0000000000", request, progress);
    }

    @Test
    void eulerAncestralRunMatchesDiffusers() throws IOException {
        Path controlNet = Fixtures.sdTiny("controlnet");
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("controlnet-Euler_a-20steps.safetensors"))) {
            GenerationRequest request = request().withControlNets(List.of(
                    new ControlUnit(controlNet, controlImage(reference), new ReadyControlMap(), 0.8)));
            Progress steps = new Progress() {
                @Override
                public void onStep(int step, int total, ai.djl.ndarray.NDArray x) {
                    // Euler a ends each step at sigma_down then adds noise: diffusers holds the sigma form
                    Parity.assertClose(String.format("controlnet run step %d", step),
                            reference.floats(String.format("latents_after_step%03d", step)), x.toFloatArray(),
                            RUN_TOLERANCE);
                }
            };
            Generation generation = generate(request, steps);
            assertArrayEquals(reference.info("final_latents").shape(), generation.latentShape());
            Parity.assertClose("controlnet run final latents", reference.floats("final_latents"),
                    generation.latents(), RUN_TOLERANCE);
            Parity.assertClose("controlnet run image", reference.floats("image"),
                    generation.images().get(0).pixels().chw(), RUN_TOLERANCE);

            String infotext = generation.images().get(0).infotext();
            String unit = "ControlNet 0: \"Module: none, Model: controlnet [" + ModelHash.legacyHash(controlNet)
                    + "], Weight: 0.8, Resize Mode: Crop and Resize, Low Vram: False, Guidance Start: 0, "
                    + "Guidance End: 1, Pixel Perfect: False, Control Mode: Balanced\"";
            assertTrue(infotext.contains(unit), infotext);
        }
    }

    @Test
    void twoUnitsAddTheirResiduals() throws IOException {
        Path controlNet = Fixtures.sdTiny("controlnet");
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("controlnet-Euler_a-20steps.safetensors"))) {
            RgbImage image = controlImage(reference);
            ControlUnit half = new ControlUnit(controlNet, image, new ReadyControlMap(), 0.4);
            Generation generation = generate(request().withControlNets(List.of(half, half)), Progress.NONE);
            // the residuals are linear in the weight: two units at 0.4 are one at 0.8, up to float rounding
            Parity.assertClose("two units at 0.4 vs diffusers at 0.8", reference.floats("final_latents"),
                    generation.latents(), RUN_TOLERANCE);
            String infotext = generation.images().get(0).infotext();
            assertTrue(infotext.contains("ControlNet 0: \"Module: none") && infotext.contains("ControlNet 1: \"Module: none")
                    && infotext.contains("Weight: 0.4"), infotext);
        }
    }

    @Test
    void guidanceEndTurnsTheUnitOffForTheLastSteps() throws IOException {
        Path controlNet = Fixtures.sdTiny("controlnet");
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("controlnet-Euler_a-20steps.safetensors"))) {
            ControlUnit firstHalf = new ControlUnit(controlNet, Optional.empty(), controlImage(reference),
                    new ReadyControlMap(), Map.of(), 0.8, 0, 0.5, ResizeMode.CROP_AND_RESIZE);
            double[] errors = new double[20];
            Progress steps = new Progress() {
                @Override
                public void onStep(int step, int total, ai.djl.ndarray.NDArray x) {
                    errors[step] = Parity.relativeError(reference.floats(String.format("latents_after_step%03d", step)),
                            x.toFloatArray());
                }
            };
            Generation generation = generate(request().withControlNets(List.of(firstHalf)), steps);
            for (int step = 0; step < 10; step++) {
                assertTrue(errors[step] < 1e-4, "step " + step + " is controlled as in the full run: " + errors[step]);
            }
            assertTrue(errors[10] > 1e-3, "step 10 of 20 is past guidance end 0.5: " + errors[10]);
            assertTrue(generation.images().get(0).infotext().contains("Guidance End: 0.5"));
        }
    }

    @Test
    void theHiresPassIsControlledAtItsOwnSize() throws IOException {
        Path controlNet = Fixtures.sdTiny("controlnet");
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("controlnet-Euler_a-20steps.safetensors"))) {
            GenerationRequest hires = new GenerationRequest("a painting of a cat in the snow", "ugly, blurry", "Euler a",
                    4, 7.5, SEED, 32, 32, 1, 1, Emphasis.ORIGINAL).withHires(Optional.of(
                    new HiresFix(2, LatentUpscaler.BILINEAR, 2, 0.5, StepsRule.A1111)));
            ControlUnit unit = new ControlUnit(controlNet, controlImage(reference), new ReadyControlMap(), 0.8);
            ControlUnit firstPassOnly = new ControlUnit(controlNet, Optional.empty(), controlImage(reference),
                    new ReadyControlMap(), Map.of(), 0.8, 0, 0.75, ResizeMode.CROP_AND_RESIZE);
            Generation controlled = generate(hires.withControlNets(List.of(unit)), Progress.NONE);
            // a 2-step hires pass: guidance end 0.75 leaves its second step (and the first pass's fourth) free
            Generation partly = generate(hires.withControlNets(List.of(firstPassOnly)), Progress.NONE);
            Generation free = generate(hires, Progress.NONE);
            assertArrayEquals(new long[] {1, 4, 32, 32}, controlled.latentShape());
            assertTrue(Parity.relativeError(free.latents(), controlled.latents()) > 1e-3,
                    "the unit changes the hires result");
            assertTrue(Parity.relativeError(partly.latents(), controlled.latents()) > 1e-4,
                    "the unit's guidance end applies in the hires pass too");
        }
    }

    @Test
    void unitsCheckTheirFieldsAndFollowDiffusersKeepRule() {
        RgbImage image = new RgbImage(8, 8, new float[3 * 64]);
        Path model = Fixtures.sdTiny("controlnet");
        IllegalArgumentException weight = assertThrows(IllegalArgumentException.class,
                () -> new ControlUnit(model, image, new ReadyControlMap(), 2.5));
        assertEquals("ControlNet weight = 2.5: expected 0..2", weight.getMessage());
        IllegalArgumentException window = assertThrows(IllegalArgumentException.class,
                () -> new ControlUnit(model, Optional.empty(), image, new ReadyControlMap(), Map.of(), 1, 0.6,
                        0.4, null));
        assertEquals("ControlNet guidance start = 0.6: expected less than guidance end 0.4", window.getMessage());
        // diffusers: keep = 1 - (i / n < start or (i + 1) / n > end)
        ControlUnit middle = new ControlUnit(model, Optional.empty(), image, new ReadyControlMap(), Map.of(), 1,
                0.1, 0.5, null);
        boolean[] expected = new boolean[20];
        for (int i = 2; i <= 9; i++) {
            expected[i] = true;
        }
        for (int i = 0; i < 20; i++) {
            assertEquals(expected[i], middle.controls(i, 20), "step " + i);
        }
    }
}

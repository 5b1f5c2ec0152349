package dev.diffarm.engine.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.diffarm.api.Progress;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.device.Precision;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.ReferenceRuns;
import dev.diffarm.engine.testing.ReferenceRuns.Run;
import dev.diffarm.engine.testing.TestSamplers;
import java.io.IOException;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A model loaded onto a {@link Placement} and rendered there: on the CPU in fp32 exactly as a model loaded without
 * one (the path every parity test takes), and in fp16 within float16's tolerance of the reference, with the VAE
 * still in float32. The GPU side of the same path is what {@code scripts/gpu-check} runs where a GPU is lent.
 */
class PlacementParityTest {
    /** The run rendered: Euler a over 7 steps draws noise every step, so the generator's draws are checked too. */
    private static final String RUN = "run-Euler_a-7steps.safetensors";
    /** fp32 on the CPU: the same bound as {@link TextToImageParityTest}'s. */
    private static final double FP32_TOLERANCE = 1e-3;
    /**
     * fp16: float16 keeps 11 significant bits (unit roundoff 4.9e-4); the text encoder's and UNet's rounding over 7
     * steps at CFG 7.5 was measured at about 1e-2 of the largest latent here, so 5e-2 flags a real fault (a layer in
     * the wrong type gives NaN or errors of order 1) without flagging rounding.
     */
    private static final double FP16_TOLERANCE = 5e-2;

    private static Run run() {
        return ReferenceRuns.all().stream().filter(r -> r.file().equals(RUN)).findFirst().orElseThrow();
    }

    private static StableDiffusion load(Placement placement) {
        return StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment(), placement);
    }

    private static Generation render(StableDiffusion model, Run run) throws IOException {
        GenerationRequest request = new GenerationRequest(run.prompt(), run.negativePrompt(), run.sampler(), run.steps(),
                run.cfg(), run.seed(), run.width(), run.height(), 1, 1, Emphasis.ORIGINAL);
        return new Generator(TestSamplers.plugins()).generate(model, "0000000000", request, Progress.NONE);
    }

    @Test
    void everyWeightOfALoadIsOnTheDeviceGivenInItsPrecision() {
        try (StableDiffusion model = load(new Placement(Device.cpu(), Precision.FP32))) {
            Map<String, NDArray> arrays = model.weightArrays();
            assertTrue(arrays.size() > 100, arrays.size() + " weight arrays");
            arrays.forEach((key, array) -> {
                assertEquals(Device.cpu(), array.getDevice(), key);
                assertEquals(DataType.FLOAT32, array.getDataType(), key);
            });
            assertEquals(new Placement(Device.cpu(), Precision.FP32), model.placement());
            try (NDManager render = model.newManager()) {
                assertEquals(Device.cpu(), render.getDevice());
            }
        }
    }

    @Test
    void fp32OnTheCpuRendersBitForBitAsAModelLoadedWithoutAPlacement() throws IOException {
        Run run = run();
        Generation before;
        try (StableDiffusion model = StableDiffusion.load(Fixtures.sdTiny("model"), Optional.empty(), Optional.empty(),
                TokenizerLocator.fromEnvironment())) {
            before = render(model, run);
        }
        Generation placed;
        try (StableDiffusion model = load(new Placement(Device.cpu(), Precision.FP32))) {
            placed = render(model, run);
        }
        assertArrayEquals(before.latents(), placed.latents());
        assertArrayEquals(before.images().get(0).pixels().chw(), placed.images().get(0).pixels().chw());
        try (SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(run.file()))) {
            Parity.assertClose("cpu fp32 " + run + " final latents", reference.floats("final_latents"),
                    placed.latents(), FP32_TOLERANCE);
        }
    }

    @Test
    void fp16ComputesTheTextEncoderAndUNetInHalfAndStaysNearTheReference() throws IOException {
        Run run = run();
        try (StableDiffusion model = load(new Placement(Device.cpu(), Precision.FP16));
             SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny(run.file()))) {
            model.weightArrays().forEach((key, array) -> assertEquals(
                    key.startsWith("vae.") ? DataType.FLOAT32 : DataType.FLOAT16, array.getDataType(), key));
            Generation rendering = render(model, run);
            float[] latents = rendering.latents();
            for (float value : latents) {
                assertFalse(Float.isNaN(value) || Float.isInfinite(value), "fp16 latents must stay finite");
            }
            double latentError = Parity.assertClose("cpu fp16 " + run + " final latents",
                    reference.floats("final_latents"), latents, FP16_TOLERANCE);
            Parity.assertClose("cpu fp16 " + run + " image", reference.floats("image"),
                    rendering.images().get(0).pixels().chw(), FP16_TOLERANCE);
            assertTrue(latentError > 0, "fp16 must differ from the float32 reference somewhere: was it fp16 at all?");
        }
    }

    @Test
    void theVaeDecodesInFloat32UnderFp16() {
        try (StableDiffusion fp32 = load(new Placement(Device.cpu(), Precision.FP32));
             StableDiffusion fp16 = load(new Placement(Device.cpu(), Precision.FP16));
             SafetensorsFile reference = SafetensorsFile.open(Fixtures.sdTiny("unet-vae.safetensors"));
             NDManager manager = NDManager.newBaseManager(Device.cpu())) {
            long[] shape = reference.info("vae.decode_in").shape();
            NDArray latents = manager.create(reference.floats("vae.decode_in"), new ai.djl.ndarray.types.Shape(shape))
                    .mul((float) fp32.vae().config().scalingFactor());
            List<RgbImage> full = ModelLatents.decode(fp32, latents);
            List<RgbImage> half = ModelLatents.decode(fp16, latents);
            // the same float32 weights and input: the same bits, which a float16 decode could not give
            assertArrayEquals(full.get(0).chw(), half.get(0).chw());
        }
    }
}

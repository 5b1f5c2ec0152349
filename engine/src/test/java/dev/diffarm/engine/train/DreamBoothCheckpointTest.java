package dev.diffarm.engine.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.prompt.Emphasis;
import dev.diffarm.engine.pipeline.GenerationRequest;
import dev.diffarm.engine.pipeline.Generator;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import dev.diffarm.engine.testing.TestSamplers;
import dev.diffarm.api.Progress;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A DreamBooth result saved as a single-file checkpoint in the original layout loads back with the trained UNet bit
 * for bit and the base model's VAE and text encoder, and renders what the trained model in memory renders.
 */
class DreamBoothCheckpointTest {
    private static final GenerationRequest REQUEST = new GenerationRequest("a photo of zwx person", "", "Euler a", 3,
            7.0, 11, 32, 32, 1, 1, Emphasis.ORIGINAL);

    @TempDir
    Path dir;

    private static StableDiffusion load(Path model, Optional<Path> configDir) {
        return StableDiffusion.load(model, configDir, Optional.empty(), TokenizerLocator.fromEnvironment());
    }

    private static float[] render(StableDiffusion model) throws IOException {
        return new Generator(TestSamplers.plugins()).generate(model, "0000000000", REQUEST, Progress.NONE).latents();
    }

    @Test
    void savedLoadsBackAndRendersAsTheTrainedModel() throws IOException {
        Path base = Fixtures.sdTiny("model");
        Path out = dir.resolve("zwx-person.safetensors");
        float[] before;
        float[] trainedRender;
        try (StableDiffusion model = load(base, Optional.empty());
             NDManager manager = NDManager.newBaseManager();
             SafetensorsFile step = SafetensorsFile.open(Fixtures.sdTiny("train-dreambooth-step.safetensors"))) {
            before = render(model);
            try (DreamBoothFixtureRun run = new DreamBoothFixtureRun(model, step, 1e-3, manager)) {
                run.loop.step();
            }
            trainedRender = render(model);
            try (ModelFiles files = ModelFiles.open(base, Optional.empty())) {
                assertEquals(model.unet().parameters().size() + 1 + files.vae().tensors().keys().size()
                                + files.textEncoder().tensors().keys().size(),
                        DreamBoothCheckpoint.write(files, model.unet(), Map.of("diffarm_dreambooth", "zwx person"), out));
            }
            try (StableDiffusion reloaded = load(out, Optional.of(base))) {
                for (Map.Entry<String, NDArray> e : model.unet().parameters().entrySet()) {
                    Parity.assertClose("reloaded " + e.getKey(), e.getValue().toFloatArray(),
                            reloaded.unet().parameters().get(e.getKey()).toFloatArray(), 0);
                }
                Parity.assertClose("render of the reloaded checkpoint vs the trained model", trainedRender,
                        render(reloaded), 1e-6);
            }
        }
        double moved = Parity.relativeError(before, trainedRender);
        System.out.printf("the trained model's render moved %.3g from the base model's (relative to its max)%n", moved);
        assertTrue(moved > 1e-3, "training did not change the render: " + moved);
        try (SafetensorsFile file = SafetensorsFile.open(out)) {
            assertTrue(file.contains("model.diffusion_model.input_blocks.1.1.proj_in.weight"), "CompVis UNet keys");
            assertTrue(file.contains("first_stage_model.decoder.mid.attn_1.q.weight"), "CompVis VAE keys");
            assertEquals("zwx person", file.metadata().get("diffarm_dreambooth"));
        }
    }
}

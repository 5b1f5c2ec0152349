package dev.diffarm.engine.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.model.ArchitectureInference;
import dev.diffarm.engine.model.CompVisKeyMap;
import dev.diffarm.engine.model.ControlNetConfig;
import dev.diffarm.engine.model.ControlNetFiles;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.ModelLoadException;
import dev.diffarm.engine.model.UNetConfig;
import dev.diffarm.engine.model.Weights;
import dev.diffarm.engine.safetensors.DType;
import dev.diffarm.engine.safetensors.SafetensorsFile;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import dev.diffarm.engine.testing.Fixtures;
import dev.diffarm.engine.testing.Parity;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ControlNet against diffusers' {@code ControlNetModel} at t = 500 on unet-vae's latent and context, the control
 * image repeated to the batch of 2, conditioning scale 0.8: its residuals, and the UNet with them added. Then the
 * same weights written in the original single-file layout (both with and without the {@code control_model.}
 * prefix) give the same residuals exactly.
 */
class ControlNetParityTest {
    /** Relative to the reference's max |value|; correct float32 re-runs of diffusers stay within 3e-6 per pass. */
    private static final double TOLERANCE = 1e-4;
    private static final float SCALE = 0.8f;
    private static final String REFERENCE = "controlnet-Euler_a-20steps.safetensors";

    @Test
    void residualsAndControlledUnetMatchDiffusers() {
        try (NDManager manager = NDManager.newBaseManager();
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.sdTiny(REFERENCE));
             SafetensorsFile inputs = SafetensorsFile.open(Fixtures.sdTiny("unet-vae.safetensors"))) {
            ControlNetModel controlNet = load(Fixtures.sdTiny("controlnet"), Optional.empty(), manager);
            NDArray latent = inputs.load("unet.latent", manager);
            NDArray context = inputs.load("unet.context", manager);
            ControlResiduals residuals = controlNet.forward(latent, 500, context, controlImage(ref, manager), SCALE);
            assertEquals(6, residuals.down().size());
            for (int i = 0; i < residuals.down().size(); i++) {
                String key = String.format("controlnet_t500.down%02d", i);
                Parity.assertClose("controlnet " + key, ref.floats(key), residuals.down().get(i).toFloatArray(),
                        TOLERANCE);
            }
            Parity.assertClose("controlnet mid", ref.floats("controlnet_t500.mid"), residuals.mid().toFloatArray(),
                    TOLERANCE);

            try (ModelFiles files = ModelFiles.open(Fixtures.sdTiny("model"), Optional.empty())) {
                Weights w = new Weights(files.unet().tensors(), manager);
                UNet2DConditionModel unet = new UNet2DConditionModel(w, files.unet().config());
                w.finish();
                NDArray controlled = unet.forward(latent, 500, context, residuals);
                Parity.assertClose("unet with control t=500", ref.floats("unet_with_control_t500"),
                        controlled.toFloatArray(), TOLERANCE);
                float[] plain = unet.forward(latent, 500, context).toFloatArray();
                assertTrue(Parity.relativeError(ref.floats("unet_with_control_t500"), plain) > 1e-3,
                        "the residuals must change the UNet's output");
            }
        }
    }

    @Test
    void originalSingleFileLayoutGivesTheSameResiduals(@TempDir Path dir) throws IOException {
        Path config = Fixtures.sdTiny("controlnet/config.json");
        ControlNetConfig controlNetConfig = ControlNetConfig.fromJson(config);
        Path prefixed = writeOriginalLayout(controlNetConfig, ControlNetFiles.ORIGINAL_PREFIX, DType.F32,
                dir.resolve("cn-prefixed.safetensors"));
        Path bare = writeOriginalLayout(controlNetConfig, "", DType.F32, dir.resolve("cn-bare.safetensors"));
        // the fixture's weights are float16 values: a half-precision file (as most shared ControlNets are) is exact
        Path half = writeOriginalLayout(controlNetConfig, ControlNetFiles.ORIGINAL_PREFIX, DType.F16,
                dir.resolve("cn-fp16.safetensors"));
        try (NDManager manager = NDManager.newBaseManager();
             SafetensorsFile ref = SafetensorsFile.open(Fixtures.sdTiny(REFERENCE));
             SafetensorsFile inputs = SafetensorsFile.open(Fixtures.sdTiny("unet-vae.safetensors"))) {
            NDArray latent = inputs.load("unet.latent", manager);
            NDArray context = inputs.load("unet.context", manager);
            NDArray image = controlImage(ref, manager);
            ControlResiduals expected = load(Fixtures.sdTiny("controlnet"), Optional.empty(), manager)
                    .forward(latent, 500, context, image, SCALE);
            for (Path file : List.of(prefixed, bare, half)) {
                ControlResiduals actual = load(file, Optional.of(config), manager).forward(latent, 500, context, image, SCALE);
                for (int i = 0; i < expected.down().size(); i++) {
                    Parity.assertClose(file.getFileName() + " down" + i, expected.down().get(i).toFloatArray(),
                            actual.down().get(i).toFloatArray(), 0);
                }
                Parity.assertClose(file.getFileName() + " mid", expected.mid().toFloatArray(),
                        actual.mid().toFloatArray(), 0);
            }
        }
    }

    @Test
    void singleFileConfigIsReadFromItsShapes(@TempDir Path dir) throws IOException {
        ControlNetConfig expected = ControlNetConfig.fromJson(Fixtures.sdTiny("controlnet/config.json"));
        Path file = writeOriginalLayout(expected, ControlNetFiles.ORIGINAL_PREFIX, DType.F32,
                dir.resolve("cn.safetensors"));
        try (SafetensorsFile opened = SafetensorsFile.open(file)) {
            ControlNetConfig inferred = ArchitectureInference.controlNet(opened, ControlNetFiles.ORIGINAL_PREFIX);
            UNetConfig e = expected.unet();
            UNetConfig i = inferred.unet();
            assertEquals(e.blockOutChannels(), i.blockOutChannels());
            assertEquals(e.downBlockTypes(), i.downBlockTypes());
            assertEquals(e.layersPerBlock(), i.layersPerBlock());
            assertEquals(e.crossAttentionDim(), i.crossAttentionDim());
            assertEquals(e.inChannels(), i.inChannels());
            assertEquals(expected.conditioningEmbedding(), inferred.conditioningEmbedding());
            assertEquals(expected.conditioningChannels(), inferred.conditioningChannels());
            // the shapes cannot show the heads: SD 1.x's 8 are assumed, where this tiny model has 4
            assertEquals(List.of(8, 8), i.attentionHeads());
        }
        // and without a config the whole file loads on the inferred one (every tensor has its place)
        try (NDManager manager = NDManager.newBaseManager()) {
            ControlNetModel model = load(file, Optional.empty(), manager);
            assertEquals(expected.conditioningEmbedding(), model.config().conditioningEmbedding());
        }
    }

    @Test
    void foreignAndPickledFilesAreRefusedByName(@TempDir Path dir) throws IOException {
        Path pickle = Files.writeString(dir.resolve("control_sd15_canny.pth"), "not read");
        ModelLoadException refused = assertThrows(ModelLoadException.class,
                () -> ControlNetFiles.open(pickle, Optional.empty()));
        assertTrue(refused.getMessage().contains("control_sd15_canny.pth") && refused.getMessage().contains("pickle"),
                refused.getMessage());
        ModelLoadException notControlNet = assertThrows(ModelLoadException.class,
                () -> ControlNetFiles.open(Fixtures.sdTiny("model.safetensors"), Optional.empty()));
        assertTrue(notControlNet.getMessage().contains("input_hint_block.0.weight"), notControlNet.getMessage());
    }

    /**
     * The fixture's ControlNet, each tensor under its original name (as A1111 users have the file), prefixed, stored
     * as {@code dtype}.
     */
    private static Path writeOriginalLayout(ControlNetConfig config, String prefix, DType dtype, Path target)
            throws IOException {
        CompVisKeyMap map = CompVisKeyMap.controlNet(config);
        SafetensorsWriter writer = new SafetensorsWriter();
        try (SafetensorsFile diffusers = SafetensorsFile.open(
                Fixtures.sdTiny("controlnet/diffusion_pytorch_model.safetensors"))) {
            for (String key : diffusers.names()) {
                CompVisKeyMap.OriginalKey original = map.original(key)
                        .orElseThrow(() -> new AssertionError("no original name for " + key));
                long[] shape = diffusers.info(key).shape();
                if (original.convKernel() && shape.length == 2) {
                    shape = new long[] {shape[0], shape[1], 1, 1};
                }
                float[] values = diffusers.floats(key);
                long[] stored = shape;
                writer.add(prefix + original.key(), dtype, stored, m -> m.create(values, new Shape(stored)));
            }
            writer.write(target);
        }
        try (SafetensorsFile written = SafetensorsFile.open(target)) {
            assertTrue(written.contains(prefix + "input_hint_block.6.weight"), () -> "hint block's conv_out at 6: "
                    + Arrays.toString(written.names().stream().filter(k -> k.contains("hint")).toArray()));
            assertTrue(written.contains(prefix + "zero_convs.5.0.weight") && written.contains(prefix + "middle_block_out.0.bias"));
        }
        return target;
    }

    private static ControlNetModel load(Path path, Optional<Path> config, NDManager manager) {
        try (ControlNetFiles files = ControlNetFiles.open(path, config)) {
            Weights w = new Weights(files.tensors(), manager);
            ControlNetModel model = new ControlNetModel(w, files.config());
            w.finish();
            return model;
        }
    }

    /** The fixture's control image [1, 3, H, W] in [0, 1], repeated to the batch of 2 as the run's CFG has it. */
    private static NDArray controlImage(SafetensorsFile ref, NDManager manager) {
        NDArray one = ref.load("control_image", manager);
        return one.concat(one, 0);
    }
}

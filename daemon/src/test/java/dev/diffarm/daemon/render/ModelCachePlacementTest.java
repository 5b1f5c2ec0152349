package dev.diffarm.daemon.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.diffarm.daemon.TinyModel;
import dev.diffarm.engine.clip.TokenizerLocator;
import dev.diffarm.engine.device.Placement;
import dev.diffarm.engine.device.Precision;
import dev.diffarm.engine.pipeline.StableDiffusion;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A worker's model cache loads onto the worker's device in the farm's precision ({@code DIFFARM_PRECISION}): the CPU
 * stands in for a GPU, in fp16 so that the precision is seen to reach every weight.
 */
class ModelCachePlacementTest {
    @TempDir
    Path dir;

    @Test
    void loadsOntoTheWorkersDeviceInTheFarmsPrecision() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(folder.resolve("tiny"), TinyModel.source());
        Placement placement = Placement.of(Device.cpu(), Precision.parse("DIFFARM_PRECISION", "fp16"));
        try (ModelCache cache = new ModelCache(new ModelDirectory(folder), TokenizerLocator.fromEnvironment(),
                Optional.empty(), Long.MAX_VALUE, placement)) {
            assertEquals(placement, cache.placement());
            StableDiffusion model = cache.lease("tiny").model();
            assertEquals(placement, model.placement());
            assertTrue(model.weightArrays().size() > 100);
            model.weightArrays().forEach((key, array) -> {
                assertEquals(Device.cpu(), array.getDevice(), key);
                assertEquals(key.startsWith("vae.") ? DataType.FLOAT32 : DataType.FLOAT16, array.getDataType(), key);
            });
        }
    }

    @Test
    void trainingGetsAFloat32CopyBesideTheRendersHalfPrecisionModel() throws IOException {
        Path folder = Files.createDirectories(dir.resolve("models"));
        Files.createSymbolicLink(folder.resolve("tiny"), TinyModel.source());
        Placement half = Placement.of(Device.cpu(), Precision.parse("DIFFARM_PRECISION", "fp16"));
        try (ModelCache cache = new ModelCache(new ModelDirectory(folder), TokenizerLocator.fromEnvironment(),
                Optional.empty(), Long.MAX_VALUE, half)) {
            StableDiffusion training = cache.leaseForTraining("tiny").model();
            assertEquals(new Placement(Device.cpu(), Precision.FP32), training.placement());
            training.weightArrays().forEach((key, array) -> assertEquals(DataType.FLOAT32, array.getDataType(), key));
            StableDiffusion render = cache.lease("tiny").model();
            assertEquals(half, render.placement());
            assertEquals(DataType.FLOAT16, render.weightArrays().get("unet.conv_in.weight").getDataType());
            // both copies kept: the training copy is found again, not reloaded
            assertTrue(training == cache.leaseForTraining("tiny").model(), "the float32 copy is kept");
        }
    }

    @Test
    void autoIsFp32OnTheCpuAndAnUnknownPrecisionNamesTheSetting() {
        assertEquals(Placement.cpu(), Placement.of(Device.cpu(), Precision.parse("DIFFARM_PRECISION", "auto")));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Precision.parse("DIFFARM_PRECISION", "fp8"));
        assertEquals("DIFFARM_PRECISION = \"fp8\": expected auto, fp32, fp16 or bf16", e.getMessage());
    }
}

package dev.diffarm.engine.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Optional;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

class PlacementTest {
    @Test
    void autoIsFp16OnAGpuAndFp32OnTheCpu() {
        assertEquals(Precision.FP16, Placement.of(Device.gpu(0), Optional.empty()).precision());
        assertEquals(Precision.FP32, Placement.of(Device.cpu(), Optional.empty()).precision());
        assertEquals(Precision.FP16, Placement.of(Device.cpu(), Optional.of(Precision.FP16)).precision());
    }

    @Test
    void readsPrecisionsAndAutoAndNamesTheSettingOfAnythingElse() {
        assertEquals(Optional.empty(), Precision.parse("--precision", "auto"));
        assertEquals(Optional.of(Precision.FP16), Precision.parse("--precision", " FP16"));
        assertEquals(Optional.of(Precision.FP32), Precision.parse("--precision", "fp32"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Precision.parse("DIFFARM_PRECISION", "half"));
        assertEquals("DIFFARM_PRECISION = \"half\": expected auto, fp32, fp16 or bf16", e.getMessage());
    }

    @Test
    void refusesBf16WithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Placement.of(Device.cpu(), Precision.parse("--precision", "bf16")));
        assertTrue(e.getMessage().startsWith("precision bf16: DJL 0.35.1's PyTorch JNI has no bfloat16 type"),
                e.getMessage());
    }

    @Test
    void readsDeviceNames() {
        assertEquals(Device.cpu(), Placement.parseDevice("--device", "cpu"));
        assertEquals(Device.gpu(1), Placement.parseDevice("--device", "cuda:1"));
        assertEquals("cuda:1", Placement.name(Device.gpu(1)));
        assertEquals("cpu fp32", Placement.cpu().toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Placement.parseDevice("--device", "gpu0"));
        assertEquals("--device = \"gpu0\": expected \"cpu\" or \"cuda:<index>\"", e.getMessage());
    }

    @Test
    void aGpuDjlDoesNotSeeIsRefusedNamingTheLibraryAndHowToChooseAnother() {
        int gpus = Engine.getEngine("PyTorch").getGpuCount();
        Assumptions.assumeTrue(gpus == 0, "this machine has " + gpus + " GPU(s): the refusal needs one without");
        Placement.requireAvailable(Device.cpu());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Placement.requireAvailable(Device.gpu(0)));
        assertTrue(e.getMessage().startsWith("device cuda:0: DJL's PyTorch engine (libtorch 2.7.1) sees no GPU"),
                e.getMessage());
        assertTrue(e.getMessage().contains("PYTORCH_LIBRARY_PATH"), e.getMessage());
    }
}

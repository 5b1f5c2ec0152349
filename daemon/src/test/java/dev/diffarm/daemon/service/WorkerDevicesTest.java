package dev.diffarm.daemon.service;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.Test;

/** {@code DIFFARM_DEVICES}: what each value gives, and the precise refusal of what names no usable device. */
class WorkerDevicesTest {

    @Test
    void unsetItIsEveryGpuOrElseTheCpu() {
        assertEquals(List.of("cpu"), names(WorkerDevices.of(Optional.empty(), () -> 0)));
        assertEquals(List.of("cuda:0", "cuda:1"), names(WorkerDevices.of(Optional.of(" "), () -> 2)));
        assertEquals(List.of(Device.gpu(0), Device.gpu(1)),
                WorkerDevices.of(Optional.empty(), () -> 2).all().stream().map(WorkerDevices.WorkerDevice::device).toList());
    }

    @Test
    void namedDevicesGiveOneWorkerEachInOrder() {
        assertEquals(List.of("cpu", "cpu"), names(WorkerDevices.of(Optional.of("cpu,cpu"), () -> 0)));
        WorkerDevices gpus = WorkerDevices.of(Optional.of("cuda:1, cuda:0"), () -> 2);
        assertEquals(List.of("cuda:1", "cuda:0"), names(gpus));
        assertEquals(Device.gpu(1), gpus.all().get(0).device());
        assertEquals(2, gpus.count());
    }

    @Test
    void theCpuAloneNeverAsksHowManyGpusThereAre() {
        AtomicInteger asked = new AtomicInteger();
        IntSupplier counting = () -> {
            asked.incrementAndGet();
            return 0;
        };
        WorkerDevices.of(Optional.of("cpu,cpu"), counting);
        assertEquals(0, asked.get(), "loading the native library only to count GPUs is not needed for the CPU");
    }

    @Test
    void aValueThatNamesNoUsableDeviceIsRefusedNamingTheEntry() {
        assertEquals("DIFFARM_DEVICES = \"cpu,gpu0\": entry 2 \"gpu0\" is no device; expected \"cpu\" or \"cuda:<index>\", "
                + "separated by commas", refusal("cpu,gpu0", 2));
        assertEquals("DIFFARM_DEVICES = \"cpu,\": entry 2 \"\" is no device; expected \"cpu\" or \"cuda:<index>\", "
                + "separated by commas", refusal("cpu,", 0));
        assertEquals("DIFFARM_DEVICES = \"cuda:0,cuda:2\": entry 2 \"cuda:2\" names GPU 2, but DJL sees 2 "
                + "(cuda:0 to cuda:1)", refusal("cuda:0,cuda:2", 2));
        assertEquals("DIFFARM_DEVICES = \"cuda:0\": entry 1 \"cuda:0\" names GPU 0, but DJL sees no GPU on this node",
                refusal("cuda:0", 0));
    }

    private static String refusal(String value, int gpus) {
        return assertThrows(IllegalArgumentException.class, () -> WorkerDevices.of(Optional.of(value), () -> gpus))
                .getMessage();
    }

    private static List<String> names(WorkerDevices devices) {
        return devices.all().stream().map(WorkerDevices.WorkerDevice::name).toList();
    }
}

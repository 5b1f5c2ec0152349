package dev.diffarm.daemon.service;

import ai.djl.Device;
import ai.djl.engine.Engine;
import dev.diffarm.engine.device.Placement;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.IntSupplier;

/**
 * The devices this node's workers run on, one worker each ({@value #SETTING}): a comma-separated list of {@code cpu}
 * and {@code cuda:<index>}, such as {@code cuda:0,cuda:1}. A device may be named twice ({@code cpu,cpu} gives two
 * workers that share the processor, which is how the tests stand in for two GPUs). Unset: every GPU DJL sees, else
 * one {@code cpu}.
 */
public record WorkerDevices(List<WorkerDevice> all) {
    /** The environment variable; {@code diffarm.devices} in the configuration. */
    public static final String SETTING = "DIFFARM_DEVICES";

    /**
     * One worker's device.
     *
     * @param name   as written in {@value #SETTING}: {@code cpu} or {@code cuda:1}
     * @param device the DJL device it names
     */
    public record WorkerDevice(String name, Device device) {
    }

    public WorkerDevices {
        if (all.isEmpty()) {
            throw new IllegalArgumentException("a node needs at least one device");
        }
        all = List.copyOf(all);
    }

    /** How many workers: one per device. */
    public int count() {
        return all.size();
    }

    /** How many GPUs DJL's PyTorch engine sees on this node (loading its native library). */
    public static int gpusDjlSees() {
        return Engine.getInstance().getGpuCount();
    }

    /**
     * The devices {@code setting} names, or by default every GPU, else the CPU.
     *
     * @param gpus how many GPUs DJL sees; asked only where needed (it loads the native library)
     * @throws IllegalArgumentException naming the setting, the entry and what was expected
     */
    public static WorkerDevices of(Optional<String> setting, IntSupplier gpus) {
        if (setting.isEmpty() || setting.get().isBlank()) {
            int count = gpus.getAsInt();
            if (count == 0) {
                return new WorkerDevices(List.of(new WorkerDevice("cpu", Device.cpu())));
            }
            List<WorkerDevice> all = new ArrayList<>(count);
            for (int i = 0; i < count; i++) {
                all.add(new WorkerDevice("cuda:" + i, Device.gpu(i)));
            }
            return new WorkerDevices(all);
        }
        String value = setting.get();
        List<WorkerDevice> devices = new ArrayList<>();
        int seenGpus = -1;
        String[] entries = value.split(",", -1);
        for (int i = 0; i < entries.length; i++) {
            String entry = entries[i].strip();
            Device device;
            try {
                device = Placement.parseDevice(SETTING, entry);
            } catch (IllegalArgumentException notADevice) {
                throw new IllegalArgumentException(SETTING + " = \"" + value + "\": entry " + (i + 1) + " \"" + entry
                        + "\" is no device; expected \"cpu\" or \"cuda:<index>\", separated by commas", notADevice);
            }
            if (!device.isGpu()) {
                devices.add(new WorkerDevice("cpu", device));
                continue;
            }
            int index = device.getDeviceId();
            if (seenGpus < 0) {
                seenGpus = gpus.getAsInt();
            }
            if (index >= seenGpus) {
                throw new IllegalArgumentException(SETTING + " = \"" + value + "\": entry " + (i + 1) + " \"" + entry
                        + "\" names GPU " + index + ", but " + (seenGpus == 0 ? "DJL sees no GPU on this node"
                        : "DJL sees " + seenGpus + " (cuda:0 to cuda:" + (seenGpus - 1) + ")"));
            }
            devices.add(new WorkerDevice(Placement.name(device), device));
        }
        return new WorkerDevices(devices);
    }
}

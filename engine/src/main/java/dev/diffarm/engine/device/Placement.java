package dev.diffarm.engine.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where a loaded model's arrays live and what it computes in: its weights, and every array its renders and training
 * runs create, are on {@link #device}; host-side work (tokenizing, the seeded generator's draws, PNG encoding) stays
 * on the CPU and its results are copied over, so a seed draws the same noise whatever the device.
 *
 * @param device    the DJL device: {@code cpu()} or {@code gpu(i)}
 * @param precision what the text encoder, UNet and ControlNets compute in; the VAE is always float32
 */
public record Placement(Device device, Precision precision) {
    private static final Pattern CUDA = Pattern.compile("cuda:(\\d{1,4})");

    /**
     * @throws IllegalArgumentException for bf16, which DJL 0.35.1 cannot hold (see {@link Precision#BF16})
     */
    public Placement {
        if (precision == Precision.BF16) {
            throw new IllegalArgumentException("precision bf16: DJL 0.35.1's PyTorch JNI has no bfloat16 type "
                    + "(converting an array to it aborts the JVM); use fp16 or fp32");
        }
    }

    /** The CPU in float32: what every model loaded without a placement gets. */
    public static Placement cpu() {
        return new Placement(Device.cpu(), Precision.FP32);
    }

    /** {@code device} with {@code precision}, or the device's default ({@link Precision#auto}) where empty. */
    public static Placement of(Device device, Optional<Precision> precision) {
        return new Placement(device, precision.orElseGet(() -> Precision.auto(device)));
    }

    /**
     * The device {@code name} names: {@code cpu} or {@code cuda:<index>}.
     *
     * @param setting what the name was given as, for the error message
     * @throws IllegalArgumentException naming the setting and value, and what was expected
     */
    public static Device parseDevice(String setting, String name) {
        String word = name.strip();
        if (word.equals("cpu")) {
            return Device.cpu();
        }
        Matcher cuda = CUDA.matcher(word);
        if (!cuda.matches()) {
            throw new IllegalArgumentException(setting + " = \"" + name + "\": expected \"cpu\" or \"cuda:<index>\"");
        }
        return Device.gpu(Integer.parseInt(cuda.group(1)));
    }

    /** How a device is written in settings: {@code cpu} or {@code cuda:1}. */
    public static String name(Device device) {
        return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
    }

    /**
     * Fails unless DJL's PyTorch engine can reach {@code device}: a GPU it does not see gets a message saying which
     * native library DJL loaded and how another is chosen.
     *
     * @throws IllegalArgumentException naming the device and the GPUs DJL sees
     */
    public static void requireAvailable(Device device) {
        if (!device.isGpu()) {
            return;
        }
        Engine engine = Engine.getEngine("PyTorch");
        int gpus = engine.getGpuCount();
        if (device.getDeviceId() >= gpus) {
            throw new IllegalArgumentException("device " + name(device) + ": DJL's PyTorch engine (libtorch "
                    + engine.getVersion() + ") sees " + (gpus == 0 ? "no GPU" : gpus + " GPU(s), cuda:0 to cuda:"
                    + (gpus - 1)) + "; a CUDA libtorch " + engine.getVersion() + " is chosen at start with "
                    + "PYTORCH_LIBRARY_PATH, PYTORCH_VERSION and PYTORCH_FLAVOR (see README, GPU)");
        }
    }

    /** A new base manager on {@link #device}: the manager of a model's weights, or of one render's arrays. */
    public NDManager newManager() {
        return NDManager.newBaseManager(device);
    }

    /** What the text encoder, UNet and ControlNets hold their weights in. */
    public DataType computeType() {
        return precision.dataType();
    }

    /** {@code cuda:0 fp16}, {@code cpu fp32}. */
    @Override
    public String toString() {
        return name(device) + " " + precision;
    }
}

package dev.diffarm.engine.device;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * The element type a model's text encoder, UNet and ControlNets compute in. Whatever it is, the sampler's state
 * (latents, sigmas) and the scheduler math stay float32, as diffusers keeps them, and the VAE computes in float32
 * (diffusers' {@code force_upcast}: SD's VAE overflows float16 in its decoder's last levels).
 */
public enum Precision {
    /** float32 throughout: the CPU's default, and the precision of every parity fixture. */
    FP32("fp32", DataType.FLOAT32),
    /** float16 weights and activations: a GPU's default. On a CPU it runs, far slower than float32. */
    FP16("fp16", DataType.FLOAT16),
    /**
     * bfloat16. Named so that a setting asking for it gets a reason rather than "unknown": DJL 0.35.1's PyTorch JNI has
     * no bfloat16 type, and converting an array to it aborts the JVM, so {@link Placement} refuses it.
     */
    BF16("bf16", DataType.BFLOAT16);

    /** The word settings accept besides the precisions: fp16 on a GPU, fp32 on the CPU. */
    public static final String AUTO = "auto";

    private final String label;
    private final DataType dataType;

    Precision(String label, DataType dataType) {
        this.label = label;
        this.dataType = dataType;
    }

    /** As settings and the CLI write it: {@code fp32}, {@code fp16}, {@code bf16}. */
    public String label() {
        return label;
    }

    public DataType dataType() {
        return dataType;
    }

    /** fp16 on a GPU, fp32 on the CPU. */
    public static Precision auto(Device device) {
        return device.isGpu() ? FP16 : FP32;
    }

    /**
     * Reads {@code value} of the setting {@code setting}: a precision's label or {@value #AUTO} (empty).
     *
     * @throws IllegalArgumentException naming the setting, the value and the words accepted
     */
    public static Optional<Precision> parse(String setting, String value) {
        String word = value.strip().toLowerCase(Locale.ROOT);
        if (word.equals(AUTO)) {
            return Optional.empty();
        }
        return Optional.of(Arrays.stream(values()).filter(p -> p.label.equals(word)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException(setting + " = \"" + value + "\": expected " + AUTO
                        + ", fp32, fp16 or bf16")));
    }

    @Override
    public String toString() {
        return label;
    }
}

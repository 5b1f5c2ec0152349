package dev.diffarm.engine.nn;

import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The libtorch operators that DJL's NDArray API lacks — group norm, fused scaled-dot-product attention,
 * SiLU, GEGLU, nearest upsampling to a size — reached through a TorchScript module that this class writes
 * itself (source in {@code native_ops.py} beside it) and loads offline. The composed versions of
 * attention and group norm are 3-25x slower on CPU and attention's memory grows with the square of the
 * tokens.
 *
 * <p>The module is stateless and loaded once per process; its methods are safe to call from several
 * threads.
 *
 * <p>Gradients: DJL runs a TorchScript method with autograd off, except through its training-mode
 * {@code forward}, which takes tensors only. So while a gradient is being recorded ({@link Autograd#recording}) a call
 * goes that way instead, to the method's {@code _grad} twin (the same operator
 * with its scalar arguments as 0-d tensors). Inference never takes that path.
 */
public final class NativeOps {
    private static final String ARCHIVE = "native_ops";
    /** Input channels a packed kernel with a count that is no multiple of this is checked before use (see below). */
    private static final long CHANNEL_BLOCK = 16;

    private NativeOps() {
    }

    private static final class Holder {
        static final PtSymbolBlock MODULE = load();
    }

    /**
     * libtorch's graph-executor optimisation, turned off once on each thread that calls the operators (the setting is
     * per thread). Left on, the profiling executor re-specialises the operators after their first calls, so a result
     * would depend on what the thread computed before it: a farm worker's render or training then differs in the last
     * bit from the same run on a fresh thread (the CLI's), and a PNG by one 8-bit level here and there.
     */
    private static final ThreadLocal<Boolean> UNOPTIMIZED = ThreadLocal.withInitial(() -> {
        JniUtils.setGraphExecutorOptimize(false);
        return Boolean.TRUE;
    });

    private static PtSymbolBlock load() {
        JniUtils.setGraphExecutorOptimize(false);
        byte[] archive = archive(source());
        // A base manager that lives as long as the process: the module is shared by every model.
        PtNDManager manager = (PtNDManager) NDManager.newBaseManager("PyTorch");
        try {
            return JniUtils.loadModule(manager, new ByteArrayInputStream(archive), false, false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load diffarm's TorchScript operators", e);
        }
    }

    private static String source() {
        try (InputStream in = NativeOps.class.getResourceAsStream("native_ops.py")) {
            if (in == null) {
                throw new IllegalStateException("native_ops.py is missing from the engine jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A TorchScript archive: the class source, a pickled instance with no state but {@code training}, no constants. */
    private static byte[] archive(String code) {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream z = new ZipOutputStream(zip)) {
            stored(z, ARCHIVE + "/data.pkl", instancePickle("NativeOps"));
            stored(z, ARCHIVE + "/code/__torch__.py", code.getBytes(StandardCharsets.UTF_8));
            stored(z, ARCHIVE + "/constants.pkl", new byte[] {(byte) 0x80, 2, ')', '.'});
            stored(z, ARCHIVE + "/version", "3\n".getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return zip.toByteArray();
    }

    /** Pickle protocol 2 of {@code __torch__.<cls>()} with its {@code training} attribute set to false. */
    private static byte[] instancePickle(String cls) {
        ByteArrayOutputStream p = new ByteArrayOutputStream();
        p.write(0x80);
        p.write(2);
        p.writeBytes(("c__torch__\n" + cls + "\n").getBytes(StandardCharsets.US_ASCII));
        p.write(')');   // EMPTY_TUPLE
        p.write(0x81);  // NEWOBJ
        p.write('}');   // EMPTY_DICT
        byte[] key = "training".getBytes(StandardCharsets.US_ASCII);
        p.write('X');   // BINUNICODE
        p.writeBytes(new byte[] {(byte) key.length, 0, 0, 0});
        p.writeBytes(key);
        p.write(0x89);  // NEWFALSE
        p.write('s');   // SETITEM
        p.write('b');   // BUILD
        p.write('.');   // STOP
        return p.toByteArray();
    }

    private static void stored(ZipOutputStream zip, String name, byte[] data) throws IOException {
        ZipEntry entry = new ZipEntry(name);
        entry.setMethod(ZipEntry.STORED);
        entry.setSize(data.length);
        CRC32 crc = new CRC32();
        crc.update(data);
        entry.setCrc(crc.getValue());
        zip.putNextEntry(entry);
        zip.write(data);
        zip.closeEntry();
    }

    /** {@code torch.group_norm}. */
    public static NDArray groupNorm(NDArray x, int groups, NDArray weight, NDArray bias, double eps) {
        return call("group_norm", x, x, groups, weight, bias, eps);
    }

    /** {@code silu(group_norm(x))}, the pair every ResNet block opens with, in one call. */
    public static NDArray groupNormSilu(NDArray x, int groups, NDArray weight, NDArray bias, double eps) {
        return call("group_norm_silu", x, x, groups, weight, bias, eps);
    }

    public static NDArray silu(NDArray x) {
        return call("silu", x, x);
    }

    /** CLIP's {@code x * sigmoid(1.702 x)}. */
    public static NDArray quickGelu(NDArray x) {
        return call("quick_gelu", x, x);
    }

    /** Exact (erf) GELU. */
    public static NDArray gelu(NDArray x) {
        return call("gelu", x, x);
    }

    /** GEGLU: the last axis split in halves {@code (h, g)}, returns {@code h * gelu(g)}. */
    public static NDArray geglu(NDArray x) {
        return call("geglu", x, x);
    }

    /**
     * Fused scaled-dot-product attention, scale {@code 1/sqrt(headDim)}.
     *
     * @param q [batch, heads, tokens, headDim]
     * @param k [batch, heads, contextTokens, headDim]
     * @param v [batch, heads, contextTokens, headDim]
     * @param causal mask future positions (CLIP's text transformer)
     */
    public static NDArray attention(NDArray q, NDArray k, NDArray v, boolean causal) {
        return call("attention", q, q, k, v, causal);
    }

    /** Nearest-neighbour resize of [N, C, H, W] to {@code height x width}, as {@code F.interpolate(mode="nearest")}. */
    public static NDArray upsampleNearest(NDArray x, long height, long width) {
        return call("upsample_nearest", x, x, height, width);
    }

    /**
     * The same values stored pixel-major (NHWC strides, PyTorch's {@code channels_last}). oneDNN convolutions run
     * 2-3x faster on such tensors on CPU, and every other operator of the UNet and VAE keeps the layout.
     */
    public static NDArray channelsLast(NDArray x) {
        return call("channels_last", x, x);
    }

    /** The same values in standard (NCHW, row-major) layout, as anything that reads raw memory needs. */
    public static NDArray contiguous(NDArray x) {
        return call("contiguous", x, x);
    }

    /**
     * A convolution kernel reordered once into oneDNN's blocked layout, for {@link #packedConvolution}. Without it
     * oneDNN reorders the kernel on every call, which dominates the UNet's low-resolution levels (a 1280-channel
     * 3x3 kernel is 59 MB): packed, those convolutions run 7-20x faster on CPU. The result is an opaque oneDNN
     * tensor: never read it from Java.
     *
     * @throws ai.djl.engine.EngineException where libtorch has no oneDNN support for this CPU
     */
    public static NDArray packConvolutionWeight(NDArray weight, int stride, int padding) {
        return call("pack_conv_weight", weight, weight, stride, padding);
    }

    /**
     * {@link #packConvolutionWeight}, or null for a kernel not in float32 on the CPU, where libtorch has no oneDNN
     * support for this CPU, or where the packed kernel computes wrongly. oneDNN blocks input channels by 16 (8 on some
     * CPUs); with a count above 16 that is no multiple of 16 (24, 40: the tiny ESRGAN fixtures' dense blocks) the
     * packed convolution was measured off by up to 0.5 on an AVX-512 EPYC. So a kernel with such a count is checked once
     * against the plain convolution before it is used.
     */
    static NDArray packedOrNull(NDArray weight, int stride, int padding) {
        if (weight.getDevice().isGpu() || weight.getDataType() != DataType.FLOAT32) {
            return null; // oneDNN packs float32 CPU kernels; cuDNN and half-precision kernels take the plain weight
        }
        // Packing is for inference, so it is done as inference: on a thread recording gradients the call would take
        // the differentiable path, which has no packing method, and the kernel would stay unpacked. Models load on
        // whatever thread asks first (a farm worker's grad mode is on, the CLI's engine thread's off), and an
        // unpacked model computes on libtorch's plain kernels, whose sums round differently (issue 12) and slower.
        return Autograd.unrecorded(() -> packedOrNullUnrecorded(weight, stride, padding));
    }

    private static NDArray packedOrNullUnrecorded(NDArray weight, int stride, int padding) {
        NDArray packed;
        try {
            packed = packConvolutionWeight(weight, stride, padding);
        } catch (EngineException noOneDnn) {
            return null;
        }
        if (weight.getShape().get(1) % CHANNEL_BLOCK != 0 && !packedAgreesWithPlain(weight, packed, stride, padding)) {
            packed.close();
            return null;
        }
        return packed;
    }

    /**
     * True if the packed kernel gives the plain convolution's result on a small input. The input is a fixed pattern,
     * not random numbers, so that the check draws nothing from libtorch's generator (seeded noise follows it).
     */
    private static boolean packedAgreesWithPlain(NDArray weight, NDArray packed, int stride, int padding) {
        Shape kernel = weight.getShape();
        long side = kernel.get(2) + 2L * stride;
        try (NDManager probe = weight.getManager().newSubManager()) {
            NDArray x = probe.arange(0f, (float) (kernel.get(1) * side * side)).mul(0.618f).sin()
                    .reshape(1, kernel.get(1), side, side);
            NDArray bias = probe.zeros(new Shape(kernel.get(0)));
            NDArray plain = x.getNDArrayInternal().convolution(x, weight, bias, new Shape(stride, stride),
                    new Shape(padding, padding), new Shape(1, 1), 1).singletonOrThrow();
            NDArray fast = packedConvolution(x, packed, bias, stride, padding);
            float scale = plain.abs().max().getFloat() + 1f;
            return plain.sub(fast).abs().max().getFloat() <= 1e-4f * scale;
        }
    }

    /** A 2-D convolution with a kernel from {@link #packConvolutionWeight}; stride and padding as it was packed for. */
    public static NDArray packedConvolution(NDArray x, NDArray packed, NDArray bias, int stride, int padding) {
        return call("packed_conv", x, x, packed, bias, stride, padding);
    }

    /**
     * {@link #packedConvolution} followed by a leaky ReLU of negative slope {@code slope}, fused into the convolution
     * (oneDNN's post-op): one pass over the output instead of two.
     */
    public static NDArray packedConvolutionLeakyRelu(NDArray x, NDArray packed, NDArray bias, int stride, int padding,
                                                     double slope) {
        return call("packed_conv_leaky_relu", x, x, packed, bias, stride, padding, slope);
    }

    /**
     * {@code weight + up · down} in one pass (libtorch's {@code addmm}), the product folded into the weight's shape: a
     * low-rank update such as LoRA's, without the full-size product as an intermediate.
     *
     * @param weight [out, ...] (a linear weight or a convolution kernel)
     * @param up     [out, rank]
     * @param down   [rank, in] where {@code out · in} is the weight's size
     * @return a new array in {@code up}'s manager
     */
    public static NDArray addLowRank(NDArray weight, NDArray up, NDArray down) {
        return call("add_low_rank", up, weight, up, down);
    }

    private static NDArray call(String method, NDArray owner, Object... args) {
        UNOPTIMIZED.get();
        if (Autograd.recording()) {
            return callRecorded(method, owner, args);
        }
        IValue[] inputs = new IValue[args.length];
        try {
            for (int i = 0; i < args.length; i++) {
                inputs[i] = toIValue(args[i]);
            }
            try (IValue result = IValueUtils.runMethod(Holder.MODULE, method, inputs)) {
                return result.toTensor((PtNDManager) owner.getManager());
            }
        } finally {
            for (IValue v : inputs) {
                if (v != null) {
                    v.close();
                }
            }
        }
    }

    /**
     * The call through DJL's training-mode {@code forward}: an array named {@code module_method:NAME} picks the
     * method; scalars travel as 0-d tensors to the {@code _grad} twin of a method that takes any.
     */
    private static NDArray callRecorded(String method, NDArray owner, Object... args) {
        UNOPTIMIZED.get();
        NDManager manager = owner.getManager();
        NDList inputs = new NDList(args.length + 1);
        NDArray selector = manager.zeros(new ai.djl.ndarray.types.Shape(1));
        boolean scalars = false;
        inputs.add(selector);
        for (Object arg : args) {
            if (arg instanceof NDArray a) {
                inputs.add(a);
            } else {
                scalars = true;
                inputs.add(scalarTensor(manager, arg));
            }
        }
        selector.setName("module_method:" + (scalars ? method + "_grad" : method));
        return IValueUtils.forward(Holder.MODULE, inputs, true).singletonOrThrow();
    }

    private static NDArray scalarTensor(NDManager manager, Object arg) {
        if (arg instanceof Integer i) {
            return manager.create((long) i);
        }
        if (arg instanceof Long l) {
            return manager.create(l);
        }
        if (arg instanceof Double d) {
            return manager.create(d);
        }
        if (arg instanceof Boolean b) {
            return manager.create(b);
        }
        throw new IllegalArgumentException("NativeOps: unsupported argument " + arg);
    }

    private static IValue toIValue(Object arg) {
        if (arg instanceof PtNDArray a) {
            return IValue.from(a);
        }
        if (arg instanceof Integer i) {
            return IValue.from((long) i);
        }
        if (arg instanceof Long l) {
            return IValue.from(l);
        }
        if (arg instanceof Double d) {
            return IValue.from(d);
        }
        if (arg instanceof Boolean b) {
            return IValue.from(b);
        }
        throw new IllegalArgumentException("NativeOps: unsupported argument " + arg);
    }
}

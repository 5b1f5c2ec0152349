package dev.diffarm.engine.nn;

import ai.djl.pytorch.jni.JniUtils;

/**
 * Whether libtorch is recording a gradient. The layers ask so that inference keeps its fastest kernels (prepacked
 * oneDNN convolutions, TorchScript calls with autograd off) and training takes differentiable ones.
 *
 * <p>Why not per array: DJL's JNI reports {@code requires_grad} false for results computed from trained arrays, and
 * reading a leaf's {@code grad_fn} crashes the JVM, so whether one array takes part in the graph cannot be asked
 * safely. While recording, every layer takes the differentiable path; where no input is trained libtorch records
 * nothing and the cost is only the slower kernel.
 */
public final class Autograd {
    private Autograd() {
    }

    /** Set while a pass runs unrecorded that a recorded pass will repeat (gradient checkpointing). */
    private static final ThreadLocal<Boolean> REPEATED = ThreadLocal.withInitial(() -> false);

    /**
     * True inside a {@link ai.djl.training.GradientCollector} (libtorch's grad mode is on), and in a pass run by
     * {@link #unrecordedAsRecorded}: the layers take their differentiable kernels.
     */
    public static boolean recording() {
        return JniUtils.isGradMode() || REPEATED.get();
    }

    /**
     * Runs {@code pass} with libtorch's grad mode off, so that nothing of it is kept for a backward pass, but on the
     * kernels a recorded pass takes: gradient checkpointing repeats it recorded in the backward pass, and the two must
     * compute the very same values.
     */
    public static <T> T unrecordedAsRecorded(java.util.function.Supplier<T> pass) {
        return withGradModeOff(true, pass);
    }

    /**
     * Runs {@code work} as inference whatever the calling thread records: grad mode off and not a repeated pass, both
     * restored after. For what must not depend on the thread it runs on, such as preparing a model's kernels while it
     * loads (a farm worker loads with grad mode still on, the CLI's engine thread with it off).
     */
    public static <T> T unrecorded(java.util.function.Supplier<T> work) {
        return withGradModeOff(false, work);
    }

    /** {@code work} with grad mode off and {@link #REPEATED} as given; both restored after. */
    private static <T> T withGradModeOff(boolean repeatedPass, java.util.function.Supplier<T> work) {
        boolean mode = JniUtils.isGradMode();
        boolean repeated = REPEATED.get();
        JniUtils.setGradMode(false);
        REPEATED.set(repeatedPass);
        try {
            return work.get();
        } finally {
            REPEATED.set(repeated);
            JniUtils.setGradMode(mode);
        }
    }

    /**
     * Turns libtorch's grad mode off for the calling thread. The mode is per thread and on by default; DJL turns it
     * off only on the thread that started the engine. Any other thread (a farm worker, a CLI's pool) would otherwise
     * render on the differentiable kernels and train with in-place optimizer updates refused; gradients are then
     * recorded only inside {@link ai.djl.training.GradientCollector}s, which restore the mode when closed.
     */
    public static void offForThisThread() {
        JniUtils.setGradMode(false);
    }
}

package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;

/**
 * One piece of the UNet's forward pass, from one activation to the next: the input convolution, a down or up layer,
 * a resampler, the middle block, the output head. The pieces in order are the whole forward pass; gradient
 * checkpointing keeps only the activations between them ({@link CheckpointedForward}).
 *
 * @param name   the piece's key path, for messages ({@code down_blocks.1.layer.0})
 * @param skip   how the piece uses the skip connections
 * @param middle the middle block, after which a ControlNet's residuals are added
 * @param body   the computation
 */
record UNetStep(String name, Skip skip, boolean middle, Body body) {
    /** What a step does with the stack of skip connections. */
    enum Skip {
        /** Nothing. */
        NONE,
        /** Its output is also a skip connection for the up levels. */
        PUSH,
        /** It takes the last skip connection off the stack and concatenates it to its input. */
        POP,
        /** It reads the size of the next skip connection (an upsampler sizes its output to it). */
        PEEK
    }

    /** The computation of a step. */
    @FunctionalInterface
    interface Body {
        /**
         * @param h    the activation coming in
         * @param skip the skip connection the step pops or peeks at; null for the others
         */
        NDArray run(NDArray h, NDArray skip, NDArray temb, NDArray text);
    }

    static UNetStep of(String name, Skip skip, Body body) {
        return new UNetStep(name, skip, false, body);
    }

    NDArray run(NDArray h, NDArray skip, NDArray temb, NDArray text) {
        return body.run(h, skip, temb, text);
    }
}

package dev.diffarm.engine.unet;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDScope;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;
import dev.diffarm.engine.nn.Autograd;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Gradient checkpointing of the UNet ({@code --gradient-checkpointing}), as {@code torch.utils.checkpoint} does it for
 * diffusers' and kohya's blocks, built from what DJL offers: a backward pass with a given output gradient
 * ({@code JniUtils.backward(output, gradient, ...)}) and grad mode per thread.
 *
 * <p>The forward pass runs every {@link UNetStep} but the output head unrecorded, each in its own scope, keeping only
 * the activations between the steps (and the skip connections, which are such activations); the head runs recorded
 * from a leaf of its input, so the caller's {@code backward(loss)} ends there. {@link #backward()}, called right after
 * it inside the same gradient recording, then walks the steps in reverse: each runs again, recorded, from leaves of
 * its saved inputs, and back-propagates the gradient of its output, which gives its inputs' gradients for the steps
 * before it and adds into every trained array it uses (and, through the time embedding and the text embeddings, which
 * are not cut, into the arrays before the UNet). Only one step's activations are alive at a time.
 *
 * <p>Both passes of a step take the same (differentiable) kernels, so the gradients are those of the plain recorded
 * pass up to the order of float additions.
 */
public final class CheckpointedForward {
    /** Forward passes whose backward is still to run, in the order they ran. */
    private final List<Pass> pending = new ArrayList<>();

    /** One checkpointed forward pass: its steps, their saved inputs, and the head's input leaf. */
    private record Pass(List<UNetStep> steps, List<NDArray> inputs, List<NDArray> skips, List<Integer> skipSources,
                        NDArray temb, NDArray text, NDArray headInput) {
    }

    /** Runs {@code steps} on {@code x} as described above; returns the head's (recorded) output. */
    NDArray forward(List<UNetStep> steps, NDArray x, NDArray temb, NDArray text) {
        int last = steps.size() - 1;
        List<NDArray> inputs = new ArrayList<>(steps.size());
        List<NDArray> skips = new ArrayList<>(steps.size());
        List<Integer> skipSources = new ArrayList<>(steps.size());
        List<NDArray> stack = new ArrayList<>();
        List<Integer> stackSources = new ArrayList<>();
        NDArray h = x;
        for (int s = 0; s < last; s++) {
            UNetStep step = steps.get(s);
            NDArray skip = null;
            int source = -1;
            if (step.skip() == UNetStep.Skip.POP || step.skip() == UNetStep.Skip.PEEK) {
                skip = stack.get(stack.size() - 1);
                source = stackSources.get(stackSources.size() - 1);
                if (step.skip() == UNetStep.Skip.POP) {
                    stack.remove(stack.size() - 1);
                    stackSources.remove(stackSources.size() - 1);
                }
            }
            inputs.add(h);
            skips.add(skip);
            skipSources.add(source);
            h = unrecorded(step, h, skip, temb, text);
            if (step.skip() == UNetStep.Skip.PUSH) {
                stack.add(h);
                stackSources.add(s);
            }
        }
        NDArray headInput = leaf(h);
        pending.add(new Pass(steps, inputs, skips, skipSources, temb, text, headInput));
        return steps.get(last).run(headInput, null, temb, text);
    }

    /** The step's output, computed without a graph and in a scope of its own that frees everything else it made. */
    private static NDArray unrecorded(UNetStep step, NDArray h, NDArray skip, NDArray temb, NDArray text) {
        NDArray out;
        try (NDScope scope = new NDScope()) {
            out = Autograd.unrecordedAsRecorded(() -> step.run(h, skip, temb, text));
            NDScope.unregister(out);
        }
        NDScope.register(out);
        return out;
    }

    /** A leaf that shares {@code array}'s values and collects the gradient of what is computed from it. */
    private static NDArray leaf(NDArray array) {
        NDArray leaf = array.stopGradient();
        leaf.setRequiresGradient(true);
        return leaf;
    }

    /** Forgets the forward passes whose backward will not run (their loss failed): their arrays go with the step. */
    public void discard() {
        pending.clear();
    }

    /** Whether a forward pass waits for its backward. */
    public boolean pending() {
        return !pending.isEmpty();
    }

    /**
     * Runs the backward pass of every checkpointed forward pass since the last call, latest first. Call it inside the
     * gradient recording, right after the backward pass of the loss computed from their outputs.
     */
    public void backward() {
        for (int p = pending.size() - 1; p >= 0; p--) {
            backward(pending.get(p));
        }
        pending.clear();
    }

    private static void backward(Pass pass) {
        Map<Integer, NDArray> skipGradients = new HashMap<>();
        NDArray gradient = pass.headInput().getGradient();
        for (int s = pass.inputs().size() - 1; s >= 0; s--) {
            UNetStep step = pass.steps().get(s);
            NDArray outputGradient = gradient;
            NDArray skipGradient = skipGradients.remove(s);
            if (skipGradient != null) {
                outputGradient = outputGradient.add(skipGradient);
            }
            gradient = null;
            try (NDScope scope = new NDScope()) {
                // the first step's input (the noisy latents) is a leaf too, so that its output always has a graph
                NDArray input = leaf(pass.inputs().get(s));
                NDArray skip = pass.skips().get(s);
                NDArray skipLeaf = step.skip() == UNetStep.Skip.POP ? leaf(skip) : skip;
                NDArray output = step.run(input, skipLeaf, pass.temb(), pass.text());
                // the time and text embeddings' graphs are shared by every step: keep them for the next
                JniUtils.backward((PtNDArray) output, (PtNDArray) outputGradient, true, false);
                if (s > 0) {
                    gradient = keep(input.getGradient());
                }
                if (step.skip() == UNetStep.Skip.POP) {
                    NDArray g = keep(skipLeaf.getGradient());
                    NDArray before = skipGradients.get(pass.skipSources().get(s));
                    if (before != null) {
                        g = g.add(before);
                        NDScope.unregister(g);
                    }
                    skipGradients.put(pass.skipSources().get(s), g);
                }
            }
            if (gradient != null) {
                NDScope.register(gradient);
            }
            skipGradients.values().forEach(NDScope::register);
        }
    }

    /** A copy of {@code gradient} that outlives the step's scope (the caller registers it with the enclosing one). */
    private static NDArray keep(NDArray gradient) {
        NDArray copy = gradient.duplicate();
        NDScope.unregister(copy);
        return copy;
    }
}

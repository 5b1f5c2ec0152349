package dev.diffarm.engine.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.merge.CompVisCheckpointWriter.Component;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.TensorSource;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Merges whole Stable Diffusion 1.x checkpoints (diffusers folders or single files, in any mix) into one single-file
 * checkpoint in the original (CompVis) layout, streaming: each output tensor is read from the inputs, combined
 * ({@link MergeMode}) and written before the next is read, so memory holds a few copies of the largest tensor, never
 * a model.
 *
 * <p>Which tensors: every weight of the UNet, VAE and text encoder must be in every input with the same shape — a
 * weight missing from one input, or of another shape, means other architectures and fails naming it. Each output
 * tensor keeps A's element type (F16 stays F16: computed in float32, then rounded). The CLIP {@code position_ids}
 * buffer, which original checkpoints carry, is written as the plain 0..n-1 it always is. Tensors of a single file
 * that belong to no component (EMA copies, training buffers) are not merged and not written: the result lists A's.
 */
public final class CheckpointMerge {
    private static final List<String> INPUT_NAMES = List.of("A", "B", "C");

    private CheckpointMerge() {
    }

    /**
     * What was written.
     *
     * @param tensors    tensors in the output
     * @param notWritten A's tensors outside the three components, left out
     */
    public record Result(int tensors, List<String> notWritten) {
    }

    /** {@link #merge(MergeMode, double, List, Path, MergeProgress)} without following its progress. */
    public static Result merge(MergeMode mode, double m, List<ModelFiles> inputs, Path out) throws IOException {
        return merge(mode, m, inputs, out, MergeProgress.NONE);
    }

    /**
     * Writes the merge of {@code inputs} (A, B and, for add difference, C) to {@code out}, telling {@code progress} of
     * every merged tensor.
     *
     * @throws MergeException           naming the tensor where the inputs' architectures differ, or if {@code out}
     *                                  is one of the inputs
     * @throws IllegalArgumentException for a multiplier outside the mode's range or a wrong number of inputs
     * @throws RuntimeException         whatever {@code progress} throws to stop the merge; {@code out} is left as it was
     */
    public static Result merge(MergeMode mode, double m, List<ModelFiles> inputs, Path out, MergeProgress progress)
            throws IOException {
        mode.checkMultiplier(m);
        if (inputs.size() != mode.inputs()) {
            throw new IllegalArgumentException(mode.cliName() + " merges " + mode.inputs() + " checkpoints, got "
                    + inputs.size());
        }
        for (ModelFiles input : inputs) {
            if (Files.exists(out) && Files.isSameFile(out, input.path())) {
                throw new MergeException("output " + out + " is one of the inputs; write the merge to a new file");
            }
        }
        ModelFiles a = inputs.get(0);
        int total = 0;
        for (Component component : Component.values()) {
            requireSameTensors(component, inputs.stream().map(component::tensors).toList(), inputs);
            total += component.tensors(a).keys().size();
        }
        int tensors = total;
        AtomicInteger done = new AtomicInteger();
        int written = CompVisCheckpointWriter.write(a, (component, key, manager) -> {
            NDArray values = merged(mode, m, inputs.stream().map(component::tensors).toList(), key, manager);
            progress.tensorMerged(done.incrementAndGet(), tensors);
            return values;
        }, Map.of("diffarm_merge", mode.cliName() + " m=" + m + " of "
                + String.join(", ", inputs.stream().map(i -> i.path().getFileName().toString()).toList())), out);
        return new Result(written, a.otherTensors());
    }

    private static NDArray merged(MergeMode mode, double m, List<TensorSource> sources, String key, NDManager manager) {
        NDArray a = sources.get(0).load(key, manager);
        NDArray b = sources.get(1).load(key, manager);
        NDArray c = sources.size() > 2 ? sources.get(2).load(key, manager) : null;
        return mode.apply(a, b, c, m);
    }

    private static void requireSameTensors(Component part, List<TensorSource> sources, List<ModelFiles> inputs) {
        TensorSource a = sources.get(0);
        for (int i = 1; i < sources.size(); i++) {
            TensorSource other = sources.get(i);
            String otherName = describe(i, inputs);
            Set<String> missing = new LinkedHashSet<>(a.keys());
            missing.removeAll(other.keys());
            if (!missing.isEmpty()) {
                throw mismatch(otherName + " lacks " + missing.size() + " " + part.label() + " tensors of "
                        + describe(0, inputs), missing);
            }
            Set<String> extra = new LinkedHashSet<>(other.keys());
            extra.removeAll(a.keys());
            if (!extra.isEmpty()) {
                throw mismatch(otherName + " has " + extra.size() + " " + part.label() + " tensors that "
                        + describe(0, inputs) + " lacks", extra);
            }
            for (String key : a.keys()) {
                if (!Arrays.equals(a.shape(key), other.shape(key))) {
                    throw new MergeException("the checkpoints are of different architectures: " + part.label() + " tensor "
                            + key + " is " + Arrays.toString(a.shape(key)) + " in " + describe(0, inputs) + " but "
                            + Arrays.toString(other.shape(key)) + " in " + otherName);
                }
            }
        }
    }

    private static MergeException mismatch(String what, Set<String> keys) {
        List<String> some = new ArrayList<>(keys).subList(0, Math.min(5, keys.size()));
        return new MergeException("the checkpoints are of different architectures: " + what + ", e.g. "
                + String.join(", ", some));
    }

    private static String describe(int input, List<ModelFiles> inputs) {
        return INPUT_NAMES.get(input) + " " + inputs.get(input).path();
    }
}

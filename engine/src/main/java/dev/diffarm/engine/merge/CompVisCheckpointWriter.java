package dev.diffarm.engine.merge;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.model.CompVisKeyMap;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.model.TensorSource;
import dev.diffarm.engine.safetensors.SafetensorsWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.function.Function;

/**
 * Writes a Stable Diffusion 1.x model as one single-file checkpoint in the original (CompVis) layout, the form A1111
 * and ComfyUI load, streaming: each tensor's values are made when the writer reaches it and freed once written. Which
 * tensors, their shapes and element types are those of a model of the same architecture ({@code layout}); their
 * values come from a {@link TensorValues} — a merge of several models, or a fine-tuned UNet with the base model's VAE
 * and text encoder. The CLIP {@code position_ids} buffer, which original checkpoints carry, is written as the plain
 * 0..n-1 it always is.
 */
public final class CompVisCheckpointWriter {
    private static final String POSITION_IDS = CompVisKeyMap.TEXT_ENCODER_PREFIX + "text_model.embeddings.position_ids";

    /** The three models of a checkpoint, with the prefix and key map that name their tensors in the original layout. */
    public enum Component {
        UNET("UNet", CompVisKeyMap.UNET_PREFIX, f -> f.unet().tensors(), f -> CompVisKeyMap.unet(f.unet().config())),
        VAE("VAE", CompVisKeyMap.VAE_PREFIX, f -> f.vae().tensors(), f -> CompVisKeyMap.vae(f.vae().config())),
        TEXT_ENCODER("text encoder", CompVisKeyMap.TEXT_ENCODER_PREFIX, f -> f.textEncoder().tensors(),
                f -> CompVisKeyMap.textEncoder());

        private final String label;
        private final String prefix;
        private final Function<ModelFiles, TensorSource> tensors;
        private final Function<ModelFiles, CompVisKeyMap> keyMap;

        Component(String label, String prefix, Function<ModelFiles, TensorSource> tensors,
                  Function<ModelFiles, CompVisKeyMap> keyMap) {
            this.label = label;
            this.prefix = prefix;
            this.tensors = tensors;
            this.keyMap = keyMap;
        }

        /** This component's tensors in {@code model}, by their diffusers keys. */
        public TensorSource tensors(ModelFiles model) {
            return tensors.apply(model);
        }

        /** How users name it in messages. */
        public String label() {
            return label;
        }
    }

    /** The values of one output tensor. */
    @FunctionalInterface
    public interface TensorValues {
        /**
         * @param key     the tensor's diffusers key in {@code component}
         * @param manager where to create the values; it is closed as soon as they are written
         * @return the values, in the layout's shape for {@code key} (or any shape of as many elements)
         */
        NDArray of(Component component, String key, NDManager manager);
    }

    private CompVisCheckpointWriter() {
    }

    /**
     * Writes every UNet, VAE and text-encoder tensor of {@code layout}, with the values {@code values} gives, to
     * {@code out}.
     *
     * @param metadata added to the file's {@code format: pt}
     * @return the number of tensors written
     */
    public static int write(ModelFiles layout, TensorValues values, Map<String, String> metadata, Path out)
            throws IOException {
        SafetensorsWriter writer = new SafetensorsWriter();
        int written = 0;
        for (Component component : Component.values()) {
            TensorSource source = component.tensors(layout);
            CompVisKeyMap keyMap = component.keyMap.apply(layout);
            for (String key : source.keys()) {
                CompVisKeyMap.OriginalKey original = keyMap.original(key).orElseThrow(() -> new IllegalStateException(
                        "the key map of " + keyMap.describe() + " has no original name for " + key));
                long[] shape = outputShape(source.shape(key), original.convKernel());
                writer.add(component.prefix + original.key(), source.storedType(key), shape,
                        manager -> values.of(component, key, manager).reshape(shape));
                written++;
            }
        }
        int positions = layout.textEncoder().config().positions();
        long[] ids = new long[positions];
        Arrays.setAll(ids, i -> i);
        writer.add(POSITION_IDS, ids, 1, positions);
        writer.metadata("format", "pt");
        metadata.forEach(writer::metadata);
        writer.write(out);
        return written + 1;
    }

    /** A linear weight [out, in] that the original layout stores as a 1x1 convolution kernel becomes [out, in, 1, 1]. */
    private static long[] outputShape(long[] shape, boolean convKernel) {
        return convKernel && shape.length == 2 ? new long[] {shape[0], shape[1], 1, 1} : shape;
    }
}

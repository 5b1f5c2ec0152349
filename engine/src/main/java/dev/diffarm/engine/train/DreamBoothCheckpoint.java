package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import dev.diffarm.engine.merge.CompVisCheckpointWriter;
import dev.diffarm.engine.merge.CompVisCheckpointWriter.Component;
import dev.diffarm.engine.model.ModelFiles;
import dev.diffarm.engine.unet.UNet2DConditionModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A DreamBooth result as users load it anywhere (A1111, ComfyUI, diffarm's render jobs by the model's name): one
 * single-file checkpoint in the original (CompVis) layout holding the trained UNet, the base model's VAE and the text
 * encoder (trained, with diffusers' {@code --train_text_encoder}, else the base model's), each tensor in the base
 * model's element type.
 */
public final class DreamBoothCheckpoint {
    private DreamBoothCheckpoint() {
    }

    /**
     * @param base     the model the UNet was trained from (its VAE and text encoder, and the file layout)
     * @param trained  the trained UNet, built from {@code base}
     * @param metadata added to the file's header
     * @return the number of tensors written
     * @throws IllegalArgumentException if the trained UNet's tensors are not the base model's
     */
    public static int write(ModelFiles base, UNet2DConditionModel trained, Map<String, String> metadata, Path out)
            throws IOException {
        return write(base, trained, Map.of(), metadata, out);
    }

    /**
     * @param trainedText the trained text encoder's tensors by diffusers key, or none for the base model's
     * @throws IllegalArgumentException if the trained tensors are not the base model's
     */
    public static int write(ModelFiles base, UNet2DConditionModel trained, Map<String, NDArray> trainedText,
                            Map<String, String> metadata, Path out) throws IOException {
        Map<String, NDArray> unet = trained.parameters();
        requireSameKeys("the UNet's", Component.UNET.tensors(base).keys(), unet.keySet(), base);
        if (!trainedText.isEmpty()) {
            requireSameKeys("the text encoder's", Component.TEXT_ENCODER.tensors(base).keys(), trainedText.keySet(), base);
        }
        return CompVisCheckpointWriter.write(base, (component, key, manager) -> {
            Map<String, NDArray> own = component == Component.UNET ? unet
                    : component == Component.TEXT_ENCODER ? trainedText : Map.of();
            if (!own.containsKey(key)) {
                return component.tensors(base).load(key, manager);
            }
            NDArray copy = own.get(key).duplicate();
            copy.attach(manager);
            return copy;
        }, metadata, out);
    }

    private static void requireSameKeys(String what, Set<String> expected, Set<String> actual, ModelFiles base) {
        if (!expected.equals(actual)) {
            Set<String> differing = new TreeSet<>(expected);
            differing.addAll(actual);
            differing.removeIf(k -> expected.contains(k) && actual.contains(k));
            throw new IllegalArgumentException("trained: " + what + " tensors are not those of the base model "
                    + base.path() + ", e.g. " + differing.stream().limit(5).toList());
        }
    }
}

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
 * single-file checkpoint in the original (CompVis) layout holding the trained UNet and the base model's VAE and text
 * encoder, each tensor in the base model's element type.
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
        Map<String, NDArray> unet = trained.parameters();
        Set<String> expected = Component.UNET.tensors(base).keys();
        if (!expected.equals(unet.keySet())) {
            Set<String> differing = new TreeSet<>(expected);
            differing.addAll(unet.keySet());
            differing.removeIf(k -> expected.contains(k) && unet.containsKey(k));
            throw new IllegalArgumentException("trained: the UNet's tensors are not those of the base model "
                    + base.path() + ", e.g. " + differing.stream().limit(5).toList());
        }
        return CompVisCheckpointWriter.write(base, (component, key, manager) -> {
            if (component != Component.UNET) {
                return component.tensors(base).load(key, manager);
            }
            NDArray copy = unet.get(key).duplicate();
            copy.attach(manager);
            return copy;
        }, metadata, out);
    }
}

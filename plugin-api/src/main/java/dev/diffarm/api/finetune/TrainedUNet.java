package dev.diffarm.api.finetune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;

/** Every tensor of the UNet as a trained array, changed in place (DreamBooth). */
public interface TrainedUNet {
    /** Every UNet tensor by its diffusers key, marked as trained. */
    Map<String, NDArray> parameters();

    /** Tells the model its weights changed (its derived state is rebuilt on the next use). */
    void changed();

    /** Gradients off again. */
    void release();

    /**
     * Writes a single-file checkpoint in the original layout: the trained UNet, the base model's VAE, and the text
     * encoder: the base model's, or the trained one if the run trains it ({@link TrainableModel#trainTextEncoder}).
     */
    void write(Path out, Map<String, String> metadata) throws IOException;

    /** Reads the UNet of such a checkpoint back, and the text encoder if the run trains it, by diffusers key. */
    Map<String, NDArray> read(Path file, NDManager manager) throws IOException;
}

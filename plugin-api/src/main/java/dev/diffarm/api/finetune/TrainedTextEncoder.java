package dev.diffarm.api.finetune;

import ai.djl.ndarray.NDArray;
import java.util.Map;

/**
 * Every tensor of the text encoder as a trained array, changed in place (DreamBooth with diffusers'
 * {@code --train_text_encoder}). A {@link TrainedUNet} of the same model saves it in its checkpoint.
 */
public interface TrainedTextEncoder {
    /** Every text-encoder tensor by its diffusers key ({@code text_model.encoder.layers.0.mlp.fc1.weight}), trained. */
    Map<String, NDArray> parameters();

    /** Tells the model its weights changed (its derived state is rebuilt on the next use). */
    void changed();

    /** Gradients off again. */
    void release();
}

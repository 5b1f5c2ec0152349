package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.pipeline.StableDiffusion;
import java.util.Arrays;
import java.util.List;

/** Turns a micro-batch's captions into the UNet's text conditioning. */
@FunctionalInterface
public interface CaptionEncoder {

    /** [b, 77, D] for the b captions, an array of {@code manager}. */
    NDArray encode(List<String> captions, NDManager manager);

    /**
     * {@code model}'s frozen text encoder as diffusers' scripts use it for LoRA: the captions tokenized (truncated to
     * 77 tokens), the last hidden states, no attention mask.
     */
    static CaptionEncoder frozen(StableDiffusion model) {
        return (captions, manager) -> {
            long[] ids = new long[0];
            int length = 0;
            for (String caption : captions) {
                int[] tokens = model.tokenizer().encodeTruncated(caption);
                length = tokens.length;
                int from = ids.length;
                ids = Arrays.copyOf(ids, from + tokens.length);
                for (int i = 0; i < tokens.length; i++) {
                    ids[from + i] = tokens[i];
                }
            }
            return model.textModel().encode(manager.create(ids, new Shape(captions.size(), length)), 1);
        };
    }
}

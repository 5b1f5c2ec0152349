package dev.diffarm.engine.pipeline;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.clip.ClipTextModel;
import dev.diffarm.engine.clip.ClipTokenizer;
import java.util.ArrayList;
import java.util.List;

/**
 * Prompt text to the embeddings the UNet attends to. A prompt of any length is split into chunks of
 * 75 tokens, each encoded on its own between BOS and EOS, and the chunks are concatenated along the
 * token axis, as AUTOMATIC1111 does; a prompt of one chunk gives exactly diffusers' embeddings.
 */
public final class PromptEncoder {
    private final ClipTokenizer tokenizer;
    private final ClipTextModel textModel;

    public PromptEncoder(ClipTokenizer tokenizer, ClipTextModel textModel) {
        this.tokenizer = tokenizer;
        this.textModel = textModel;
    }

    /** The token chunks of {@code prompt}, each {@code contextLength} ids long. */
    public List<int[]> chunks(String prompt) {
        return tokenizer.encodeChunks(prompt);
    }

    /**
     * Encodes a prompt and a negative prompt so that both have the same number of chunks: the shorter one
     * is padded with chunks of the empty prompt, as AUTOMATIC1111 does.
     *
     * @return {@code [negative, prompt]}, each [1, 77 * chunks, D]
     */
    public NDArray[] encodePair(NDManager manager, String prompt, String negative, int clipSkip) {
        List<int[]> cond = new ArrayList<>(chunks(prompt));
        List<int[]> uncond = new ArrayList<>(chunks(negative));
        int[] empty = chunks("").get(0);
        while (cond.size() < uncond.size()) {
            cond.add(empty);
        }
        while (uncond.size() < cond.size()) {
            uncond.add(empty);
        }
        return new NDArray[] {encode(manager, uncond, clipSkip), encode(manager, cond, clipSkip)};
    }

    /** Encodes one prompt: [1, 77 * chunks, D]. */
    public NDArray encode(NDManager manager, String prompt, int clipSkip) {
        return encode(manager, chunks(prompt), clipSkip);
    }

    private NDArray encode(NDManager manager, List<int[]> chunks, int clipSkip) {
        long[][] ids = new long[chunks.size()][];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = java.util.Arrays.stream(chunks.get(i)).asLongStream().toArray();
        }
        NDArray hidden = textModel.encode(manager.create(ids), clipSkip);
        long d = hidden.getShape().get(2);
        return hidden.reshape(1, -1, d);
    }

    /** Repeats [1, T, D] embeddings for a batch of images. */
    static NDArray repeatBatch(NDArray embeddings, int batch) {
        if (batch == 1) {
            return embeddings;
        }
        NDArray[] copies = new NDArray[batch];
        java.util.Arrays.fill(copies, embeddings);
        return NDArrays.concat(new NDList(copies), 0);
    }
}

package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.List;
import java.util.Map;

/**
 * Where a training run takes its micro-batches from, whatever the fine-tune method: the images' VAE latents (encoded
 * once, kohya's {@code --cache_latents}) with the captions as text, which the method encodes itself (a frozen text
 * encoder for LoRA and DreamBooth, one with trained token rows for Textual Inversion). Its position is part of a saved
 * training state, so that a resumed run takes the same batches an uninterrupted one would.
 */
public interface TrainingExamples extends AutoCloseable {

    /**
     * One micro-batch: every latent of it has the same size (one bucket).
     *
     * @param latents  [b, C, h, w], scaled by the VAE's scaling factor
     * @param captions the b captions, in the latents' order, as the method should encode them (shuffled, dropped)
     */
    record Batch(NDArray latents, List<String> captions) {
        public Batch {
            if (latents.getShape().get(0) != captions.size()) {
                throw new IllegalArgumentException("a batch of " + latents.getShape().get(0) + " latents has "
                        + captions.size() + " captions");
            }
            captions = List.copyOf(captions);
        }

        public int size() {
            return captions.size();
        }
    }

    /** The images in the set, without repeats. */
    int images();

    /** The training images as kohya counts them in {@code ss_num_train_images}: each instance image times its repeats. */
    default int trainImages() {
        return images();
    }

    /**
     * The next micro-batch of at most {@code batchSize} examples, drawing whatever randomness it needs from
     * {@code draws} in a documented order; its arrays belong to {@code manager}.
     */
    Batch next(int batchSize, Draws draws, NDManager manager);

    /** Where the next batch comes from, to be saved with a training state. */
    long[] position();

    /**
     * Continues from a saved {@link #position()}.
     *
     * @throws IllegalArgumentException if the position does not fit this data (another data set, another size)
     */
    void restore(long[] position);

    /** kohya's {@code ss_tag_frequency}: per data folder, how often each caption tag occurs. */
    Map<String, Map<String, Integer>> tagFrequency();

    /** Frees the cached latents. */
    @Override
    void close();
}

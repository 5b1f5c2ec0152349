package dev.diffarm.engine.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import dev.diffarm.engine.pipeline.StableDiffusion;
import dev.diffarm.engine.vae.LatentDistribution;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The simplest {@link TrainingExamples}: the {@link CaptionedImages} of one folder, their VAE latents computed once
 * (kohya's {@code --cache_latents}) as {@code (mean + std · ε) · scaling} with ε the run's first draw,
 * {@code randn([n, 4, h, w])}, and batches in {@link ExampleOrder} (shuffled per epoch by {@code randint} draws, or in
 * name order). The captions are the files' as they are.
 */
public final class CachedExamples implements TrainingExamples {
    private final NDArray latents;
    private final List<String> captions;
    private final ExampleOrder order;
    private final Map<String, Map<String, Integer>> tagFrequency;

    private CachedExamples(NDArray latents, List<String> captions, boolean shuffle,
                           Map<String, Map<String, Integer>> tagFrequency) {
        this.latents = latents;
        this.captions = List.copyOf(captions);
        this.order = new ExampleOrder(captions.size(), shuffle);
        this.tagFrequency = tagFrequency;
    }

    /**
     * Encodes {@code examples} with {@code model}'s VAE, drawing the posterior samples from {@code draws}; the latents
     * belong to {@code manager}.
     *
     * @param folder names the data in kohya's tag frequency
     */
    public static CachedExamples encode(StableDiffusion model, String folder, List<CaptionedImages.Example> examples,
                                        boolean shuffle, Draws draws, NDManager manager) {
        try (NDScope scope = new NDScope()) {
            NDList images = new NDList();
            for (CaptionedImages.Example example : examples) {
                // diffusers' Normalize([0.5], [0.5]) after ToTensor, in float32
                images.add(example.image().toNDArray(manager).sub(0.5f).div(0.5f));
            }
            LatentDistribution posterior = model.vae().encode(NDArrays.stack(images));
            NDArray eps = draws.randn(manager, posterior.mean().getShape());
            float scaling = (float) model.vae().config().scalingFactor();
            NDArray latents = posterior.mean().add(posterior.std().mul(eps)).mul(scaling);
            NDScope.unregister(latents);
            List<String> captions = examples.stream().map(CaptionedImages.Example::caption).toList();
            return new CachedExamples(latents, captions, shuffle, Map.of(folder, KohyaLoraFile.tagFrequency(captions)));
        }
    }

    /** Every cached latent [n, 4, h, w], in name order. */
    public NDArray latents() {
        return latents;
    }

    @Override
    public int images() {
        return captions.size();
    }

    @Override
    public Batch next(int batchSize, Draws draws, NDManager manager) {
        int[] indices = order.next(batchSize, draws);
        NDList picked = new NDList(indices.length);
        List<String> text = new ArrayList<>(indices.length);
        for (int i : indices) {
            picked.add(latents.get(i));
            text.add(captions.get(i));
        }
        NDArray batch = NDArrays.stack(picked);
        batch.attach(manager);
        return new Batch(batch, text);
    }

    @Override
    public long[] position() {
        ExampleOrder.Cursor cursor = order.cursor();
        long[] out = new long[2 + cursor.order().length];
        out[0] = cursor.epoch();
        out[1] = cursor.position();
        for (int i = 0; i < cursor.order().length; i++) {
            out[2 + i] = cursor.order()[i];
        }
        return out;
    }

    @Override
    public void restore(long[] position) {
        if (position.length < 2) {
            throw new IllegalArgumentException("data position: expected epoch, position and order, got "
                    + position.length + " numbers");
        }
        int[] saved = new int[position.length - 2];
        for (int i = 0; i < saved.length; i++) {
            saved[i] = (int) position[2 + i];
        }
        order.restore(new ExampleOrder.Cursor(position[0], (int) position[1], saved));
    }

    @Override
    public Map<String, Map<String, Integer>> tagFrequency() {
        return tagFrequency;
    }

    @Override
    public void close() {
        latents.close();
    }
}

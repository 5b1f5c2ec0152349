package dev.diffarm.engine.train.data;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.engine.train.Draws;
import dev.diffarm.engine.train.TrainingExamples;
import dev.diffarm.engine.vae.AutoencoderKL;
import dev.diffarm.engine.vae.LatentDistribution;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * kohya's data pipeline ({@link TrainingData}: repeat folders, buckets, flip, caption rules) as a training run's
 * {@link TrainingExamples}, with the latents cached as kohya's {@code --cache_latents} caches them.
 *
 * <h2>Randomness, and which generator gives it</h2>
 * <ol>
 *   <li><b>The run's generator</b> ({@code draws} of {@link #encode}), before anything else the run draws: the VAE
 *       posterior samples, {@code latents = (mean + std · ε) · scaling}. Images are encoded bucket by bucket
 *       (buckets in size order, kohya's {@code (w, h)} order), each bucket's images in dataset order, in chunks of
 *       up to {@value #ENCODE_CHUNK}; per chunk of k images at latent size h x w, {@code ε = randn([k, C, h, w])}
 *       for the images as they are and then, when flipping is on, another for the mirrored images. torch fills
 *       normals in blocks of 16 and a latent holds a multiple of 16 values, so without flipping the chunks draw
 *       exactly what one {@code randn([n, C, h, w])} over the bucket would: for one bucket that is the single draw
 *       of diffusers' script (and of {@code EncodedExamples}).</li>
 *   <li><b>The data's own generators</b>, not the run's: each epoch's plan (bucket and batch shuffles, flip choices,
 *       caption shuffle and dropout) draws from a generator seeded {@code PlanSettings.seed() + epoch}, in the order
 *       {@link EpochPlanner} gives. kohya reseeds Python's {@code random} with {@code seed + epoch} the same way;
 *       this keeps the run's generator sequence (noise, timesteps) independent of the data options, and lets a
 *       saved position (epoch, batch) restore the data without any generator state. {@link #next} draws nothing
 *       from {@code draws}.</li>
 * </ol>
 *
 * <p>Batches follow the plan: each holds the examples of one bucket, at most the plan's batch size (the last batch
 * of a bucket may be smaller); after the last batch of an epoch comes the first of the next. A flipped use of an image
 * takes the latents of the mirrored image, encoded once like the others.
 */
public final class KohyaExamples implements TrainingExamples {
    /** Images per VAE call while caching: bounds the encoder's memory at large buckets. */
    static final int ENCODE_CHUNK = 4;

    private final TrainingData data;
    /** Latents of image i at index 2i, of its mirror image at 2i + 1 (null unless flipping). */
    private final float[][] latents;
    private final Shape[] shapes;
    private DataCursor cursor = DataCursor.START;
    private boolean closed;

    private KohyaExamples(TrainingData data, float[][] latents, Shape[] shapes) {
        this.data = data;
        this.latents = latents;
        this.shapes = shapes;
    }

    /**
     * Encodes every image of {@code data} (and its mirror image if the plan flips) with {@code vae}, drawing the
     * posterior samples from {@code draws} in the order the class comment gives.
     *
     * @param manager the parent of the temporary arrays; nothing stays attached to it
     * @throws InvalidDatasetException if an image no longer decodes or changed since the dataset was scanned
     */
    public static KohyaExamples encode(TrainingData data, AutoencoderKL vae, Draws draws, NDManager manager)
            throws IOException {
        int n = data.dataset().images().size();
        float[][] latents = new float[2 * n][];
        Shape[] shapes = new Shape[n];
        float scaling = (float) vae.config().scalingFactor();
        boolean flip = data.settings().flip();
        for (List<Integer> bucket : imagesByBucket(data)) {
            for (int from = 0; from < bucket.size(); from += ENCODE_CHUNK) {
                List<Integer> chunk = bucket.subList(from, Math.min(from + ENCODE_CHUNK, bucket.size()));
                for (int mirrored = 0; mirrored <= (flip ? 1 : 0); mirrored++) {
                    float[][] encoded = encodeChunk(data, chunk, mirrored == 1, vae, scaling, draws, manager, shapes);
                    for (int j = 0; j < chunk.size(); j++) {
                        latents[2 * chunk.get(j) + mirrored] = encoded[j];
                    }
                }
            }
        }
        return new KohyaExamples(data, latents, shapes);
    }

    /** Image indices grouped by bucket, buckets in size order, each in dataset order. */
    private static List<List<Integer>> imagesByBucket(TrainingData data) {
        Map<Size, List<Integer>> bySize = new TreeMap<>();
        for (int i = 0; i < data.dataset().images().size(); i++) {
            bySize.computeIfAbsent(data.assignment(i).bucket(), k -> new ArrayList<>()).add(i);
        }
        return new ArrayList<>(bySize.values());
    }

    private static float[][] encodeChunk(TrainingData data, List<Integer> chunk, boolean mirrored, AutoencoderKL vae,
                                         float scaling, Draws draws, NDManager parent, Shape[] shapes)
            throws IOException {
        Size bucket = data.assignment(chunk.get(0)).bucket();
        int per = 3 * (int) bucket.area();
        float[] pixels = new float[chunk.size() * per];
        for (int j = 0; j < chunk.size(); j++) {
            System.arraycopy(data.pixels(chunk.get(j), mirrored), 0, pixels, j * per, per);
        }
        try (NDManager manager = parent.newSubManager()) {
            NDArray images = manager.create(pixels, new Shape(chunk.size(), 3, bucket.height(), bucket.width()));
            LatentDistribution posterior = vae.encode(images);
            NDArray eps = draws.randn(manager, posterior.mean().getShape());
            float[] values = posterior.mean().add(posterior.std().mul(eps)).mul(scaling).toFloatArray();
            Shape one = posterior.mean().getShape().slice(1);
            int size = (int) one.size();
            float[][] out = new float[chunk.size()][];
            for (int j = 0; j < chunk.size(); j++) {
                out[j] = Arrays.copyOfRange(values, j * size, (j + 1) * size);
                shapes[chunk.get(j)] = one;
            }
            return out;
        }
    }

    /** The pipeline behind these examples. */
    public TrainingData data() {
        return data;
    }

    @Override
    public int images() {
        return data.dataset().images().size();
    }

    @Override
    public int trainImages() {
        return data.dataset().instanceCount();
    }

    /**
     * The batch at the current position, then moves on.
     *
     * @param batchSize must be the plan's batch size: the plan fixes the batches (one bucket each)
     * @param draws     not drawn from (the plan has its own generators, see the class comment)
     * @throws IllegalArgumentException if {@code batchSize} is not the plan's
     */
    @Override
    public Batch next(int batchSize, Draws draws, NDManager manager) {
        if (batchSize != data.settings().batchSize()) {
            throw new IllegalArgumentException("trainBatchSize: the data is planned in batches of "
                    + data.settings().batchSize() + ", a batch of " + batchSize + " was asked for");
        }
        if (closed) {
            throw new IllegalStateException("the examples are closed");
        }
        PlannedBatch batch = data.batchAt(cursor);
        cursor = data.next(cursor);
        List<PlannedExample> examples = batch.examples();
        Shape one = shapes[examples.get(0).imageIndex()];
        int per = (int) one.size();
        float[] values = new float[examples.size() * per];
        List<String> captions = new ArrayList<>();
        for (int j = 0; j < examples.size(); j++) {
            PlannedExample e = examples.get(j);
            System.arraycopy(latents[2 * e.imageIndex() + (e.flipped() ? 1 : 0)], 0, values, j * per, per);
            captions.add(e.caption());
        }
        return new Batch(manager.create(values, new Shape(examples.size()).addAll(one)), captions);
    }

    /** {epoch, batch} of the next batch. */
    @Override
    public long[] position() {
        return new long[] {cursor.epoch(), cursor.batch()};
    }

    @Override
    public void restore(long[] position) {
        if (position.length != 2) {
            throw new IllegalArgumentException("a data position is {epoch, batch}, got " + position.length
                    + " numbers: " + Arrays.toString(position));
        }
        if (position[0] < 0 || position[0] > Integer.MAX_VALUE || position[1] < 0
                || position[1] >= data.batchesPerEpoch()) {
            throw new IllegalArgumentException("data position " + Arrays.toString(position) + " does not fit this data: "
                    + "expected an epoch from 0 and a batch below " + data.batchesPerEpoch());
        }
        cursor = new DataCursor((int) position[0], (int) position[1]);
    }

    @Override
    public Map<String, Map<String, Integer>> tagFrequency() {
        return data.dataset().tagFrequency();
    }

    @Override
    public void close() {
        closed = true;
        Arrays.fill(latents, null);
    }
}

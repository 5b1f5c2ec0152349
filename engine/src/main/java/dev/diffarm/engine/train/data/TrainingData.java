package dev.diffarm.engine.train.data;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The training data pipeline as kohya runs it, for the trainer: a scanned dataset, each image's bucket, and the
 * batches of every epoch in a seeded order that a {@link DataCursor} can resume.
 *
 * <pre>{@code
 * TrainingData data = TrainingData.open(DatasetSpec.kohya(dir, Optional.empty(), ".txt", roots),
 *         Bucketing.Settings.kohyaDefaults(new Size(512, 512)),
 *         new PlanSettings(2, true, false, CaptionRule.AS_WRITTEN, seed));
 * for (DataCursor at = DataCursor.START; ...; at = data.next(at)) {
 *     for (PlannedExample e : data.batchAt(at).examples()) {
 *         TrainingExample x = data.load(e); // x.pixels(), x.caption(), x.classImage()
 *     }
 * }
 * }</pre>
 *
 * <p>Not thread-safe: one instance belongs to one training run.
 */
public final class TrainingData {
    private final Dataset dataset;
    private final List<BucketAssignment> assignments;
    private final PlanSettings settings;
    private final EpochPlanner planner;
    private final ImageDecoder decoder;
    private EpochPlan current;

    private TrainingData(Dataset dataset, List<BucketAssignment> assignments, PlanSettings settings,
                         ImageDecoder decoder) {
        this.dataset = dataset;
        this.assignments = List.copyOf(assignments);
        this.settings = settings;
        this.planner = new EpochPlanner(dataset, assignments, settings);
        this.decoder = decoder;
    }

    /**
     * Scans {@code spec} and buckets every image.
     *
     * @throws InvalidDatasetException if the dataset is unusable ({@link DatasetScanner#scan}) or an image cannot be
     *                                 bucketed (named with its size)
     */
    public static TrainingData open(DatasetSpec spec, Bucketing.Settings buckets, PlanSettings settings)
            throws IOException {
        Dataset dataset = DatasetScanner.scan(spec);
        Bucketing bucketing = buckets.bucketing();
        List<BucketAssignment> assignments = new ArrayList<>();
        for (TrainingImage image : dataset.images()) {
            try {
                assignments.add(bucketing.assign(image.size()));
            } catch (IllegalArgumentException e) {
                throw new InvalidDatasetException("dataset", image.file() + ": " + e.getMessage(), e);
            }
        }
        return new TrainingData(dataset, assignments, settings, new ImageDecoder(spec.maxPixels()));
    }

    /** How the epochs are planned: batch size, shuffle, flip, caption rule, seed. */
    public PlanSettings settings() {
        return settings;
    }

    /**
     * The instance images alone, planned with the same settings: what a method that draws its class batches apart
     * (DreamBooth with prior preservation, as diffusers' {@code train_dreambooth.py}) trains on.
     */
    public TrainingData instanceImages() {
        return subset(false);
    }

    /**
     * The class images alone (after kohya's balancing, so an epoch of them counts as many examples as an epoch of
     * the instance images), planned with the same settings, each captioned by its set's caption source (DreamBooth's
     * class prompt).
     *
     * @throws InvalidDatasetException if the dataset has no class images (field {@code classData})
     */
    public TrainingData classImages() throws InvalidDatasetException {
        if (dataset.classCount() == 0) {
            throw new InvalidDatasetException("classData", "the dataset has no class images (no class or reg folder "
                    + "given, or it holds none)");
        }
        return subset(true);
    }

    private TrainingData subset(boolean classImages) {
        List<TrainingImage> images = new ArrayList<>();
        List<BucketAssignment> kept = new ArrayList<>();
        for (int i = 0; i < dataset.images().size(); i++) {
            if (dataset.images().get(i).classImage() == classImages) {
                images.add(dataset.images().get(i));
                kept.add(assignments.get(i));
            }
        }
        return new TrainingData(new Dataset(images), kept, settings, decoder);
    }

    /** The scanned images, with captions and tag frequency. */
    public Dataset dataset() {
        return dataset;
    }

    /** The bucket of image {@code imageIndex} of {@link Dataset#images()}. */
    public BucketAssignment assignment(int imageIndex) {
        return assignments.get(imageIndex);
    }

    /** Examples per bucket, repeats included (kohya's {@code ss_bucket_info}). */
    public Map<Size, Integer> bucketCounts() {
        return planner.bucketCounts();
    }

    /** Batches in every epoch. */
    public int batchesPerEpoch() {
        return planner.batchesPerEpoch();
    }

    /** The plan of {@code epoch}; the same for the same seed and epoch, whatever came before. */
    public EpochPlan epoch(int epoch) {
        if (current == null || current.epoch() != epoch) {
            current = planner.plan(epoch);
        }
        return current;
    }

    /** The batch at {@code cursor}. */
    public PlannedBatch batchAt(DataCursor cursor) {
        if (cursor.batch() >= batchesPerEpoch()) {
            throw new IllegalArgumentException("batch " + cursor.batch() + " of an epoch of " + batchesPerEpoch()
                    + " batches");
        }
        return epoch(cursor.epoch()).batches().get(cursor.batch());
    }

    /** The position after {@code cursor}: the next batch, or the first of the next epoch. */
    public DataCursor next(DataCursor cursor) {
        return cursor.batch() + 1 < batchesPerEpoch()
                ? new DataCursor(cursor.epoch(), cursor.batch() + 1)
                : new DataCursor(cursor.epoch() + 1, 0);
    }

    /**
     * Decodes {@code example}'s image and makes it the model's input: resized and centre-cropped to its bucket
     * ({@link BucketImages}), mirrored if planned, in [-1, 1].
     *
     * @throws InvalidDatasetException if the file no longer decodes, or changed size since it was scanned
     */
    public TrainingExample load(PlannedExample example) throws IOException {
        return new TrainingExample(example, pixels(example.image(), example.assignment(), example.flipped()));
    }

    /**
     * The model input of image {@code imageIndex}, mirrored or not: what a trainer encodes once to cache latents
     * (kohya's {@code --cache_latents} keeps both when flipping is on).
     */
    public float[] pixels(int imageIndex, boolean flipped) throws IOException {
        return pixels(dataset.images().get(imageIndex), assignments.get(imageIndex), flipped);
    }

    private float[] pixels(TrainingImage image, BucketAssignment assignment, boolean flipped) throws IOException {
        Rgb8Image decoded = decoder.decode(image.file());
        if (!decoded.size().equals(image.size())) {
            throw new InvalidDatasetException("dataset", image.file() + ": now " + decoded.size()
                    + ", was " + image.size() + " when the dataset was scanned");
        }
        Rgb8Image fitted = BucketImages.fit(decoded, assignment);
        return (flipped ? fitted.flipHorizontally() : fitted).toModelInput();
    }
}

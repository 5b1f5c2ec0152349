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
    private final EpochPlanner planner;
    private final ImageDecoder decoder;
    private EpochPlan current;

    private TrainingData(Dataset dataset, List<BucketAssignment> assignments, PlanSettings settings, long maxPixels) {
        this.dataset = dataset;
        this.assignments = List.copyOf(assignments);
        this.planner = new EpochPlanner(dataset, assignments, settings);
        this.decoder = new ImageDecoder(maxPixels);
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
        return new TrainingData(dataset, assignments, settings, spec.maxPixels());
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

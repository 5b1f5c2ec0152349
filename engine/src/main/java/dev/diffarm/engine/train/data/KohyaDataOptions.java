package dev.diffarm.engine.train.data;

import ai.djl.ndarray.NDManager;
import dev.diffarm.engine.train.Draws;
import dev.diffarm.engine.vae.AutoencoderKL;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * A run's data options under kohya's names ({@code --resolution}, {@code --enable_bucket}, {@code --flip_aug},
 * {@code --shuffle_caption}, ...), and the {@link KohyaExamples} they make of a kohya dataset folder.
 *
 * @param resolution       kohya's {@code --resolution}; empty: no buckets, every image used at its own size (they
 *                         must all have the same one), as the fixture's run takes its folder
 * @param enableBucket     kohya's {@code --enable_bucket}: aspect-ratio buckets (needs a resolution)
 * @param minBucketReso    kohya's {@code --min_bucket_reso}
 * @param maxBucketReso    kohya's {@code --max_bucket_reso}
 * @param bucketResoSteps  kohya's {@code --bucket_reso_steps}
 * @param bucketNoUpscale  kohya's {@code --bucket_no_upscale}
 * @param flipAug          kohya's {@code --flip_aug}
 * @param captions         kohya's {@code --shuffle_caption}, {@code --keep_tokens}, {@code --caption_dropout_rate}
 * @param captionExtension kohya's {@code --caption_extension}
 */
public record KohyaDataOptions(Optional<Size> resolution, boolean enableBucket, int minBucketReso, int maxBucketReso,
                               int bucketResoSteps, boolean bucketNoUpscale, boolean flipAug, CaptionRule captions,
                               String captionExtension) {

    /** No resolution (images at their own size), no buckets, kohya's bucket range 256-1024 step 64, captions from
     * {@code .txt} files as written. */
    public static final KohyaDataOptions DEFAULTS = new KohyaDataOptions(Optional.empty(), false, 256, 1024, 64, false,
            false, CaptionRule.AS_WRITTEN, ".txt");

    /**
     * @throws IllegalArgumentException naming the option if buckets are asked for without a resolution, or the
     *                                  bucket settings do not fit the resolution
     */
    public KohyaDataOptions {
        if (enableBucket && resolution.isEmpty()) {
            throw new IllegalArgumentException("resolution: enableBucket needs a resolution to size the buckets");
        }
        if (captionExtension.isBlank()) {
            throw new IllegalArgumentException("captionExtension must not be blank");
        }
        // the bucket settings' own checks against the resolution, now rather than when the data is opened
        resolution.ifPresent(size -> new Bucketing.Settings(size, enableBucket, minBucketReso, maxBucketReso,
                bucketResoSteps, bucketNoUpscale));
    }

    private Bucketing.Settings bucketSettings(Size size) {
        return new Bucketing.Settings(size, enableBucket, minBucketReso, maxBucketReso, bucketResoSteps,
                bucketNoUpscale);
    }

    /**
     * The dataset of {@code folder} (kohya's layout: images with captions, or {@code <repeats>_<tokens>} folders)
     * bucketed and planned by these options.
     *
     * @param allowedRoots where the images may lie
     * @param batchSize    images per batch
     * @param shuffle      whether each epoch's batches and bucket contents are shuffled
     * @param seed         seeds the plan's draws ({@link EpochPlanner})
     * @throws InvalidDatasetException if the folder is unusable, or without a resolution its images differ in size
     *                                 (field {@code resolution}, naming the first image of another size)
     */
    public TrainingData open(Path folder, List<Path> allowedRoots, int batchSize, boolean shuffle, long seed)
            throws IOException {
        DatasetSpec spec = DatasetSpec.kohya(folder, Optional.empty(), captionExtension, allowedRoots);
        Size size = resolution.isPresent() ? resolution.get() : commonSize(DatasetScanner.scan(spec));
        return TrainingData.open(spec, bucketSettings(size),
                new PlanSettings(batchSize, shuffle, flipAug, captions, seed));
    }

    /**
     * {@link #open} and the latents of every image cached with {@code vae}, the posterior samples drawn from
     * {@code draws} ({@link KohyaExamples#encode}).
     */
    public KohyaExamples examples(Path folder, List<Path> allowedRoots, int batchSize, boolean shuffle, long seed,
                                  AutoencoderKL vae, Draws draws, NDManager manager) throws IOException {
        return KohyaExamples.encode(open(folder, allowedRoots, batchSize, shuffle, seed), vae, draws, manager);
    }

    /**
     * DreamBooth's instance and class examples (diffusers' {@code train_dreambooth.py --with_prior_preservation}):
     * every instance image captioned {@code instancePrompt}, every class image {@code classPrompt}, the class images
     * balanced as kohya balances them (as many examples per epoch as the instances). Both plans share the seed; the
     * instance latents are cached first, then the class latents, both from {@code draws}.
     *
     * @throws IllegalArgumentException if buckets are on: a prior-preservation batch joins an instance batch and a
     *                                  class batch, which must have one size
     * @throws InvalidDatasetException  if a folder is unusable or holds no images
     */
    public PriorPreservation dreamBooth(Path instanceDir, String instancePrompt, Path classDir, String classPrompt,
                                        List<Path> allowedRoots, int batchSize, boolean shuffle, long seed,
                                        AutoencoderKL vae, Draws draws, NDManager manager) throws IOException {
        if (enableBucket) {
            throw new IllegalArgumentException("enableBucket: DreamBooth joins an instance and a class batch, which must "
                    + "have one size; give a resolution without buckets");
        }
        DatasetSpec spec = DatasetSpec.dreamBooth(instanceDir, instancePrompt, Optional.of(classDir), classPrompt,
                allowedRoots);
        Size size = resolution.isPresent() ? resolution.get() : commonSize(DatasetScanner.scan(spec));
        TrainingData data = TrainingData.open(spec, bucketSettings(size),
                new PlanSettings(batchSize, shuffle, flipAug, captions, seed));
        KohyaExamples instances = KohyaExamples.encode(data.instanceImages(), vae, draws, manager);
        return new PriorPreservation(instances, KohyaExamples.encode(data.classImages(), vae, draws, manager));
    }

    /** DreamBooth's two kinds of examples, each its own {@link KohyaExamples} with its own position. */
    public record PriorPreservation(KohyaExamples instances, KohyaExamples classes) {
    }

    private static Size commonSize(Dataset dataset) throws InvalidDatasetException {
        TrainingImage first = dataset.images().get(0);
        for (TrainingImage image : dataset.images()) {
            if (!image.size().equals(first.size())) {
                throw new InvalidDatasetException("resolution", image.file() + " is " + image.size() + " but "
                        + first.file().getFileName() + " is " + first.size()
                        + "; without a resolution (or buckets) every image must have the same size");
            }
        }
        return first.size();
    }
}

package dev.diffarm.engine.train.data;

/**
 * Picks each image's bucket. {@link PredefinedBuckets} covers kohya's default bucketing and its no-bucket mode
 * (one fixed size); {@link NoUpscaleBuckets} covers {@code --bucket_no_upscale}.
 */
public interface Bucketing {

    /**
     * The bucket of an image of size {@code image}.
     *
     * @throws IllegalArgumentException if the image cannot be bucketed (a bucket side would be 0); the message
     *                                  gives the size, the caller adds the file
     */
    BucketAssignment assign(Size image);

    /** Settings for the bucket choice, as kohya's options name them. */
    record Settings(Size resolution, boolean enableBucket, int minBucketReso, int maxBucketReso, int bucketResoSteps,
                    boolean bucketNoUpscale) {

        /** kohya's defaults for {@code --resolution}: buckets on, 256 to 1024 in steps of 64, upscaling allowed. */
        public static Settings kohyaDefaults(Size resolution) {
            return new Settings(resolution, true, 256, 1024, 64, false);
        }

        public Settings {
            if (resolution.width() <= 0 || resolution.height() <= 0) {
                throw new IllegalArgumentException("resolution must be positive, got " + resolution);
            }
            if (enableBucket) {
                if (bucketResoSteps <= 0) {
                    throw new IllegalArgumentException("bucketResoSteps must be positive, got " + bucketResoSteps);
                }
                if (Math.min(resolution.width(), resolution.height()) < minBucketReso) {
                    throw new IllegalArgumentException("minBucketReso " + minBucketReso
                            + " must not exceed the smaller side of resolution " + resolution);
                }
                if (Math.max(resolution.width(), resolution.height()) > maxBucketReso) {
                    throw new IllegalArgumentException("maxBucketReso " + maxBucketReso
                            + " must not be below the larger side of resolution " + resolution);
                }
            }
        }

        /** kohya without {@code --enable_bucket}: one bucket of {@code resolution}, images resized to cover it. */
        public static Settings withoutBuckets(Size resolution) {
            return new Settings(resolution, false, 256, 1024, 64, false);
        }

        /** The bucketing these settings describe. */
        public Bucketing bucketing() {
            if (!enableBucket) {
                return PredefinedBuckets.single(resolution);
            }
            if (bucketNoUpscale) {
                return new NoUpscaleBuckets(resolution.area(), bucketResoSteps);
            }
            return new PredefinedBuckets(BucketResolutions.make(resolution, minBucketReso, maxBucketReso,
                    bucketResoSteps));
        }
    }
}

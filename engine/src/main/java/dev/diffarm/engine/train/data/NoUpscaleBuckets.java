package dev.diffarm.engine.train.data;

/**
 * kohya's {@code BucketManager.select_bucket} with {@code --bucket_no_upscale}: no predefined buckets. An image
 * larger than the maximum area is shrunk to it, keeping its aspect (the long or short side rounded to the step,
 * whichever keeps the aspect closer); any other keeps its size. The bucket is that size rounded down to multiples
 * of the step, so images are only cropped, never enlarged.
 */
public final class NoUpscaleBuckets implements Bucketing {
    private final long maxArea;
    private final int steps;

    /** Buckets of at most {@code maxArea} pixels with sides multiples of {@code steps}. */
    public NoUpscaleBuckets(long maxArea, int steps) {
        if (maxArea <= 0 || steps <= 0) {
            throw new IllegalArgumentException("maxArea and steps must be positive, got " + maxArea + ", " + steps);
        }
        this.maxArea = maxArea;
        this.steps = steps;
    }

    @Override
    public BucketAssignment assign(Size image) {
        Size resized = image.area() > maxArea ? shrinkToArea(image) : image;
        Size bucket = new Size(resized.width() - resized.width() % steps, resized.height() - resized.height() % steps);
        if (bucket.width() == 0 || bucket.height() == 0) {
            throw new IllegalArgumentException("an image of " + image + " gives a bucket of " + bucket
                    + " under bucketNoUpscale: each side must be at least the bucket step " + steps);
        }
        return BucketAssignment.of(image, bucket, resized);
    }

    private Size shrinkToArea(Size image) {
        double aspect = image.aspect();
        double width = Math.sqrt(maxArea * aspect);
        double height = maxArea / width;
        int widthRounded = roundToSteps(width);
        int heightInWidthRounded = roundToSteps(widthRounded / aspect);
        int heightRounded = roundToSteps(height);
        int widthInHeightRounded = roundToSteps(heightRounded * aspect);
        if (heightInWidthRounded == 0 || heightRounded == 0) {
            throw new IllegalArgumentException("an image of " + image + " is too narrow to bucket under "
                    + "bucketNoUpscale: shrunk to the maximum area, a side rounds to 0");
        }
        double aspectWidthRounded = (double) widthRounded / heightInWidthRounded;
        double aspectHeightRounded = (double) widthInHeightRounded / heightRounded;
        if (Math.abs(aspectWidthRounded - aspect) < Math.abs(aspectHeightRounded - aspect)) {
            return new Size(widthRounded, (int) (widthRounded / aspect + 0.5));
        }
        return new Size((int) (heightRounded * aspect + 0.5), heightRounded);
    }

    /** kohya's {@code round_to_steps}: round half up, then down to a multiple of the step. */
    private int roundToSteps(double x) {
        int rounded = (int) (x + 0.5);
        return rounded - rounded % steps;
    }
}

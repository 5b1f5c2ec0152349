package dev.diffarm.engine.train.data;

import java.util.List;

/**
 * kohya's {@code BucketManager.select_bucket} with predefined buckets (no_upscale off): an image whose size is a
 * bucket keeps it, any other goes to the bucket of closest aspect ratio (the first in sorted order on ties), and is
 * scaled to cover it: by bucket height / image height when the image is wider than the bucket, else by bucket width
 * / image width, each side rounded as {@code int(x + 0.5)}.
 */
public final class PredefinedBuckets implements Bucketing {
    private final List<Size> buckets;

    /** Chooses among {@code buckets}, in the order given (kohya's sorted order). */
    public PredefinedBuckets(List<Size> buckets) {
        if (buckets.isEmpty()) {
            throw new IllegalArgumentException("at least one bucket is needed");
        }
        this.buckets = List.copyOf(buckets);
    }

    /** kohya without {@code --enable_bucket}: one bucket of the resolution; images are resized to cover it. */
    public static PredefinedBuckets single(Size resolution) {
        return new PredefinedBuckets(List.of(resolution));
    }

    /** The buckets, in choice order. */
    public List<Size> buckets() {
        return buckets;
    }

    @Override
    public BucketAssignment assign(Size image) {
        double aspect = image.aspect();
        Size bucket = buckets.contains(image) ? image : closestAspect(aspect);
        double scale = aspect > bucket.aspect()
                ? (double) bucket.height() / image.height()
                : (double) bucket.width() / image.width();
        Size resized = new Size((int) (image.width() * scale + 0.5), (int) (image.height() * scale + 0.5));
        return BucketAssignment.of(image, bucket, resized);
    }

    private Size closestAspect(double aspect) {
        Size best = buckets.get(0);
        double bestError = Math.abs(best.aspect() - aspect);
        for (Size bucket : buckets) {
            double error = Math.abs(bucket.aspect() - aspect);
            if (error < bestError) {
                best = bucket;
                bestError = error;
            }
        }
        return best;
    }
}

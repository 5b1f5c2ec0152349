package dev.diffarm.engine.train.data;

/**
 * Where one image goes: its bucket (the training size), the size it is resized to first and how, and the centre
 * crop from that size to the bucket.
 *
 * @param image    the original size
 * @param bucket   the training size, a multiple of the bucket step on each side
 * @param resized  the size the image is resized to; it covers the bucket
 * @param arError  bucket aspect - image aspect (w / h)
 * @param trimLeft columns cut from the left of the resized image: (resized - bucket) // 2
 * @param trimTop  rows cut from the top of the resized image
 * @param crop     kohya's {@code crop_ltrb} for SDXL's size conditioning
 * @param resample how the image is resized
 */
public record BucketAssignment(Size image, Size bucket, Size resized, double arError, int trimLeft, int trimTop,
                               CropBox crop, Resample resample) {

    /** The assignment kohya's {@code trim_and_resize_if_required} (random crop off) carries out. */
    public static BucketAssignment of(Size image, Size bucket, Size resized) {
        if (resized.width() < bucket.width() || resized.height() < bucket.height()) {
            throw new IllegalArgumentException("resized size " + resized + " does not cover bucket " + bucket);
        }
        return new BucketAssignment(image, bucket, resized, bucket.aspect() - image.aspect(),
                (resized.width() - bucket.width()) / 2, (resized.height() - bucket.height()) / 2,
                CropBox.of(bucket, image), Resample.choose(image, resized));
    }
}

package dev.diffarm.engine.train.data;

/**
 * kohya's {@code crop_ltrb}: where the original image lies inside the bucket, in bucket pixels, as SDXL's size
 * conditioning records it. Computed from the original aspect ratio, not from the integer trim (kohya's
 * {@code BucketManager.get_crop_ltrb}).
 */
public record CropBox(double left, double top, double right, double bottom) {

    /**
     * Fits {@code image} to {@code bucket} by its aspect: if the bucket is wider, the heights match, else the
     * widths; left and top are floor((bucket - fitted) / 2) (Python's float {@code //}).
     */
    public static CropBox of(Size bucket, Size image) {
        double bucketAspect = bucket.aspect();
        double imageAspect = image.aspect();
        double width;
        double height;
        if (bucketAspect > imageAspect) {
            width = bucket.height() * imageAspect;
            height = bucket.height();
        } else {
            width = bucket.width();
            height = bucket.width() / imageAspect;
        }
        double left = Math.floor((bucket.width() - width) / 2);
        double top = Math.floor((bucket.height() - height) / 2);
        return new CropBox(left, top, left + width, top + height);
    }
}

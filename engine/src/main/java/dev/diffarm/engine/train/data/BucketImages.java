package dev.diffarm.engine.train.data;

/** Carries out a {@link BucketAssignment} on decoded pixels: resize as kohya does, then centre-crop to the bucket. */
public final class BucketImages {
    private BucketImages() {
    }

    /**
     * kohya's {@code trim_and_resize_if_required} (random crop off): {@code image} resized to the assignment's
     * size with its filter (OpenCV area when shrinking, Pillow Lanczos otherwise), then the bucket-sized window at
     * the trim offsets.
     *
     * @throws IllegalArgumentException if {@code image} is not of the assignment's original size
     */
    public static Rgb8Image fit(Rgb8Image image, BucketAssignment assignment) {
        if (!image.size().equals(assignment.image())) {
            throw new IllegalArgumentException("the image is " + image.size() + " but was bucketed as "
                    + assignment.image());
        }
        Rgb8Image resized = switch (assignment.resample()) {
            case NONE -> image;
            case AREA -> AreaResize.resize(image, assignment.resized());
            case LANCZOS -> LanczosResize.resize(image, assignment.resized());
        };
        if (resized.size().equals(assignment.bucket())) {
            return resized;
        }
        return resized.crop(assignment.trimLeft(), assignment.trimTop(), assignment.bucket());
    }
}

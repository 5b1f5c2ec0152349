package dev.diffarm.engine.train.data;

/** How an image is resized to its bucket, chosen as kohya's {@code resize_image} chooses by default. */
public enum Resample {
    /** The image already has the size: no resize. */
    NONE,
    /** OpenCV's {@code INTER_AREA}: the image shrinks (or keeps its size) in both directions. */
    AREA,
    /** Pillow's {@code LANCZOS}: the image grows in at least one direction. */
    LANCZOS;

    /** kohya's default: none when equal, area when neither side grows, else Lanczos. */
    public static Resample choose(Size from, Size to) {
        if (from.equals(to)) {
            return NONE;
        }
        return from.width() >= to.width() && from.height() >= to.height() ? AREA : LANCZOS;
    }
}

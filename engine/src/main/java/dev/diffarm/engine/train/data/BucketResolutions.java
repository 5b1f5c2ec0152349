package dev.diffarm.engine.train.data;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** kohya-ss/sd-scripts' {@code make_bucket_resolutions}: the predefined aspect-ratio buckets of a resolution. */
public final class BucketResolutions {
    private BucketResolutions() {
    }

    /**
     * The buckets whose area is at most {@code resolution}'s, sides multiples of {@code divisible} within
     * [{@code minSize}, {@code maxSize}], sorted by width then height: the square of side
     * floor(sqrt(area) / divisible) * divisible, and for every width = minSize, minSize + divisible, ... &le; maxSize
     * the pair (width, height) and its transpose, where height = min(maxSize, floor((area // width) / divisible) *
     * divisible), when height &ge; minSize.
     *
     * @throws IllegalArgumentException if a size is not positive or minSize exceeds maxSize
     */
    public static List<Size> make(Size resolution, int minSize, int maxSize, int divisible) {
        if (minSize <= 0 || maxSize < minSize || divisible <= 0) {
            throw new IllegalArgumentException("bucket sizes need 0 < minSize <= maxSize and divisible > 0, got "
                    + "minSize " + minSize + ", maxSize " + maxSize + ", divisible " + divisible);
        }
        long maxArea = resolution.area();
        TreeSet<Size> resos = new TreeSet<>();
        int square = (int) (Math.floor(Math.sqrt((double) maxArea) / divisible) * divisible);
        resos.add(new Size(square, square));
        for (int width = minSize; width <= maxSize; width += divisible) {
            int height = (int) Math.min(maxSize, (maxArea / width) / divisible * divisible);
            if (height >= minSize) {
                resos.add(new Size(width, height));
                resos.add(new Size(height, width));
            }
        }
        return List.copyOf(new ArrayList<>(resos));
    }
}

package dev.diffarm.api.upscale;

import java.util.ArrayList;
import java.util.List;

/**
 * Where the tiles of a {@link Tiling} go along one axis, and the fade that {@link TileLayout#GRID} blends overlaps
 * with: the geometry of AUTOMATIC1111's {@code images.split_grid} / {@code combine_grid} and of
 * {@code upscaler_utils.tiled_upscale_2}, which the A1111 reference outputs were made with.
 */
public final class TileGrid {
    private TileGrid() {
    }

    /**
     * The tile origins along an axis of {@code size} pixels, as {@code split_grid} places them: {@code count =
     * ceil((size - overlap) / (tile - overlap))} tiles, {@code step = (size - tile) / (count - 1)} apart (0 for one
     * tile), tile i at {@code int(i * step)}, moved to {@code size - tile} when it would reach the far edge.
     *
     * @param tile the tile's side, at most {@code size}
     */
    public static int[] gridOrigins(int size, int tile, int overlap) {
        check(size, tile, overlap);
        int count = (int) Math.ceil((double) (size - overlap) / (tile - overlap));
        double step = count > 1 ? (double) (size - tile) / (count - 1) : 0;
        int[] origins = new int[count];
        for (int i = 0; i < count; i++) {
            int at = (int) (i * step);
            origins[i] = at + tile >= size ? size - tile : at;
        }
        return origins;
    }

    /**
     * The tile origins along an axis as {@code tiled_upscale_2} places them: {@code range(0, size - tile, tile -
     * overlap)} and then {@code size - tile}.
     *
     * @param tile the tile's side, at most {@code size}
     */
    public static int[] averageOrigins(int size, int tile, int overlap) {
        check(size, tile, overlap);
        List<Integer> origins = new ArrayList<>();
        for (int at = 0; at < size - tile; at += tile - overlap) {
            origins.add(at);
        }
        origins.add(size - tile);
        return origins.stream().mapToInt(Integer::intValue).toArray();
    }

    /**
     * The weight of the new tile over the first {@code overlap} output pixels of a {@link TileLayout#GRID} seam, as
     * {@code combine_grid}'s 8-bit mask holds it: {@code uint8(float32(i) * 255 / overlap)} for i = 0..overlap-1
     * (0, 15, 31, ... for 16), to be divided by 255.
     */
    public static int[] fadeIn(int overlap) {
        int[] mask = new int[overlap];
        for (int i = 0; i < overlap; i++) {
            mask[i] = (int) ((float) i * 255f / overlap);
        }
        return mask;
    }

    private static void check(int size, int tile, int overlap) {
        if (tile <= 0 || tile > size || overlap < 0 || overlap >= tile) {
            throw new IllegalArgumentException("tiles of " + tile + " overlapping by " + overlap + " along " + size
                    + " pixels: expected 0 <= overlap < tile <= size");
        }
    }
}

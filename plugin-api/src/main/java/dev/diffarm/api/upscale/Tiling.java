package dev.diffarm.api.upscale;

/**
 * How a network upscaler cuts a picture into tiles so that memory stays bounded however large the picture is: square
 * tiles of {@code tile} input pixels that overlap by {@code overlap}, put back together by {@code layout}.
 * A1111's settings "Tile size for ESRGAN upscalers" and "Tile overlap for ESRGAN upscalers"; tile 0 runs the whole
 * picture at once.
 *
 * @param tile    the side of a tile in input pixels; 0 for no tiling
 * @param overlap the input pixels neighbouring tiles share, 0 &lt;= overlap &lt; tile
 * @param layout  where tiles go and how their overlaps are merged
 */
public record Tiling(int tile, int overlap, TileLayout layout) {
    /** No tiling: the whole picture through the network at once (A1111's tile size 0). */
    public static final Tiling NONE = new Tiling(0, 0, TileLayout.GRID);

    /** A1111's defaults for ESRGAN upscalers: tile 192, overlap 8, its grid layout. */
    public static final Tiling A1111 = new Tiling(192, 8, TileLayout.GRID);

    public Tiling {
        if (layout == null) {
            throw new IllegalArgumentException("tile layout: expected one of " + java.util.Arrays.toString(
                    TileLayout.values()) + ", got none");
        }
        if (tile < 0) {
            throw new IllegalArgumentException("tile = " + tile + ": expected 0 (no tiling) or a tile size in pixels");
        }
        if (overlap < 0 || (tile > 0 && overlap >= tile)) {
            throw new IllegalArgumentException("tile overlap = " + overlap + ": expected 0.." + Math.max(0, tile - 1)
                    + " (less than the tile size " + tile + ")");
        }
    }

    /** True when the picture goes through the network whole. */
    public boolean isNone() {
        return tile == 0;
    }
}

package dev.diffarm.api.upscale;

/** Where the tiles of a {@link Tiling} go and how the outputs of overlapping tiles are merged. */
public enum TileLayout {
    /**
     * A1111's ESRGAN tiling ({@code images.split_grid} / {@code combine_grid}, see {@link TileGrid}): tiles spread
     * evenly over the picture, each output clamped to [0, 1]; a tile's first {@code overlap * scale} columns (and a
     * row's first rows) fade in over what is there, the rest overwrites it.
     */
    GRID,
    /**
     * A1111's {@code upscaler_utils.tiled_upscale_2} (its SwinIR and ScuNET path): tiles every {@code tile - overlap}
     * pixels plus one flush with the far edge; the raw outputs are summed and divided by how many tiles cover each
     * pixel, then clamped.
     */
    AVERAGE
}

package dev.diffarm.farm.config;

/**
 * An upscale step after a task's image is rendered (and after its hires pass): the PNG is made larger as an upscale
 * job makes a picture larger ({@link UpscaleJob}, A1111's Extras tab), with the same fields and limits. In JSON the
 * object {@code "upscale": {"upscaler": "R-ESRGAN 4x+", "scale": 2, "tile": 192, "tileOverlap": 8}} of a render job, a
 * campaign or a campaign's style (a style's replaces the campaign's).
 *
 * @param upscaler    a resampler ({@code Lanczos}, {@code Nearest}) or an upscaler model of the farm, by name
 * @param scale       how many times larger each side gets, 1..{@value Limits#MAX_UPSCALE_FACTOR} (default
 *                    {@value UpscaleJob#DEFAULT_SCALE}); a side becomes {@code int(side * scale)} rounded down to a
 *                    multiple of 8, as A1111's Extras size it
 * @param tile        tile side in input pixels for a model, 0 for no tiling (default {@value UpscaleJob#DEFAULT_TILE})
 * @param tileOverlap pixels neighbouring tiles share, less than {@code tile} (default
 *                    {@value UpscaleJob#DEFAULT_TILE_OVERLAP})
 */
public record UpscaleSettings(String upscaler, double scale, int tile, int tileOverlap) {
    public UpscaleSettings {
        Rules.UPSCALER.require("upscale.upscaler", upscaler);
        Rules.UPSCALE_FACTOR.require("upscale.scale", scale);
        Rules.TILE.require("upscale.tile", (long) tile);
        Rules.TILE_OVERLAP.require("upscale.tileOverlap", (long) tileOverlap);
        if (tile > 0 && tileOverlap >= tile) {
            throw new IllegalArgumentException("upscale.tileOverlap = " + tileOverlap + ": expected less than tile ("
                    + tile + ")");
        }
    }

    /** A step by {@code scale} with {@code upscaler}, tiled as A1111 tiles by default. */
    public static UpscaleSettings of(String upscaler, double scale) {
        return new UpscaleSettings(upscaler, scale, UpscaleJob.DEFAULT_TILE, UpscaleJob.DEFAULT_TILE_OVERLAP);
    }

    /** The side a rendered {@code side} becomes: {@code int(side * scale)} rounded down to a multiple of 8. */
    public int side(int side) {
        return (int) (side * scale) / Limits.SIDE_MULTIPLE * Limits.SIDE_MULTIPLE;
    }
}

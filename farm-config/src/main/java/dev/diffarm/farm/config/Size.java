package dev.diffarm.farm.config;

/**
 * An image size in pixels, as {@code {"width": 768, "height": 512}} in a campaign's {@code sizes}. Both sides
 * are multiples of {@value Limits#SIDE_MULTIPLE} in {@value Limits#MIN_SIDE}..{@value Limits#MAX_SIDE}.
 *
 * @param width  width in pixels
 * @param height height in pixels
 */
public record Size(int width, int height) {
    public Size {
        Rules.SIDE.require("width", (long) width);
        Rules.SIDE.require("height", (long) height);
    }

    @Override
    public String toString() {
        return width + "x" + height;
    }
}

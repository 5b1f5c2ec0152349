package dev.diffarm.farm.config;

/**
 * Outpainting ({@code outpaint}): the init image, fitted to the task's size, on a canvas this many pixels larger on
 * each side, the new area inpainted. The image is {@code width + left + right} x {@code height + top + bottom}.
 * In JSON {@code {"left": 64, "right": 64, "top": 0, "bottom": 0}}, each side defaulting to 0.
 *
 * @param left   pixels added on the left, 0..{@value Limits#MAX_SIDE}
 * @param right  pixels added on the right
 * @param top    pixels added above
 * @param bottom pixels added below
 */
public record OutpaintSides(int left, int right, int top, int bottom) {
    public OutpaintSides {
        Rules.OUTPAINT_SIDE.require("outpaint.left", (long) left);
        Rules.OUTPAINT_SIDE.require("outpaint.right", (long) right);
        Rules.OUTPAINT_SIDE.require("outpaint.top", (long) top);
        Rules.OUTPAINT_SIDE.require("outpaint.bottom", (long) bottom);
        if (left + right + top + bottom == 0) {
            throw new IllegalArgumentException(NOT_ALL_ZERO);
        }
    }

    static final String NOT_ALL_ZERO = "outpaint = {\"left\":0,\"right\":0,\"top\":0,\"bottom\":0}: expected at least "
            + "one side above 0";

    /** The image size of a task of {@code size} outpainted by these sides. */
    long width(Size size) {
        return (long) size.width() + left + right;
    }

    long height(Size size) {
        return (long) size.height() + top + bottom;
    }
}

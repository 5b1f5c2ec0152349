package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.train.data.LanczosResize;
import dev.diffarm.engine.train.data.Size;
import java.util.List;
import java.util.Optional;

/**
 * A1111's "Inpaint area: Only masked": the box around the mask ({@code masking.get_crop_region_v2}, enlarged by the
 * padding, then {@code expand_crop_region} to the request's aspect ratio) is cut out of the picture and the mask,
 * fitted to the request's size, inpainted there, and each result pasted back at the box's size over the original
 * picture, shown where the (blurred) mask is and the original elsewhere, as A1111's {@code apply_overlay} does.
 *
 * @param x1 the box's left column
 * @param y1 its top row
 * @param x2 one past its right column
 * @param y2 one past its bottom row
 */
record OnlyMasked(int x1, int y1, int x2, int y2) {

    /**
     * The box for {@code mask} at {@code padding}, shaped like {@code width} x {@code height}.
     *
     * @throws IllegalArgumentException for a mask with nothing to repaint
     */
    static OnlyMasked around(InpaintMask mask, int padding, int width, int height) {
        float[] values = mask.binary();
        int w = mask.width();
        int h = mask.height();
        int left = w;
        int top = h;
        int right = -1;
        int bottom = -1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                if (values[y * w + x] > 0) {
                    left = Math.min(left, x);
                    right = Math.max(right, x);
                    top = Math.min(top, y);
                    bottom = Math.max(bottom, y);
                }
            }
        }
        if (right < 0) {
            throw new IllegalArgumentException("mask: nothing to repaint (no pixel at one half or more)");
        }
        int x1 = Math.max(left - padding, 0);
        int y1 = Math.max(top - padding, 0);
        int x2 = Math.min(right + 1 + padding, w);
        int y2 = Math.min(bottom + 1 + padding, h);
        return expanded(x1, y1, x2, y2, (double) width / height, w, h);
    }

    /** A1111's {@code expand_crop_region}: the box grown along one side to {@code ratio}, kept inside the picture. */
    private static OnlyMasked expanded(int x1, int y1, int x2, int y2, double ratio, int imageWidth, int imageHeight) {
        if ((double) (x2 - x1) / (y2 - y1) > ratio) {
            int[] ys = grown(y1, y2, (int) ((x2 - x1) / ratio - (y2 - y1)), imageHeight);
            return new OnlyMasked(x1, ys[0], x2, ys[1]);
        }
        int[] xs = grown(x1, x2, (int) ((y2 - y1) * ratio - (x2 - x1)), imageWidth);
        return new OnlyMasked(xs[0], y1, xs[1], y2);
    }

    private static int[] grown(int from, int to, int diff, int limit) {
        from -= Math.floorDiv(diff, 2);
        to += diff - Math.floorDiv(diff, 2);
        if (to >= limit) {
            from -= to - limit;
            to = limit;
        }
        if (from < 0) {
            to -= from;
            from = 0;
        }
        return new int[] {from, Math.min(to, limit)};
    }

    int width() {
        return x2 - x1;
    }

    int height() {
        return y2 - y1;
    }

    /**
     * {@code request} on the box: its init image and mask cut out and fitted to its size (A1111's "Resize and
     * fill"), the mask inpainting the whole of what it is given. Each ControlNet unit's picture is first fitted to
     * the init image's size by its own resize mode, then cut to the same box, as sd-webui-controlnet crops it.
     */
    GenerationRequest crop(GenerationRequest request) {
        InitImage init = request.init().orElseThrow();
        InpaintMask mask = request.mask().orElseThrow();
        RgbImage picture = ResizeMode.RESIZE_AND_FILL.apply(cut(init.image()), request.width(), request.height());
        float[] cutMask = cutPlane(mask.values(), mask.width());
        float[] fitted = ResizeMode.RESIZE_AND_FILL.applyToMask(cutMask, width(), height(), request.width(),
                request.height());
        List<ControlUnit> units = request.controlNets().stream().map(unit -> unit.withImage(
                cut(unit.resizeMode().apply(unit.image(), init.image().width(), init.image().height())))).toList();
        return request.withMask(Optional.of(mask.withValues(request.width(), request.height(), fitted).wholePicture()))
                .withInit(Optional.of(new InitImage(picture, init.strength(), init.resizeMode())))
                .withControlNets(units);
    }

    /** {@code generated} (the request's size) pasted into {@code original} at this box, through {@code mask}. */
    RgbImage paste(RgbImage generated, RgbImage original, InpaintMask mask) {
        RgbImage fitted = PixelFormats.toUnit(LanczosResize.resize(PixelFormats.to8Bit(generated),
                new Size(width(), height())));
        float[] shown = mask.soft();
        int w = original.width();
        int plane = w * original.height();
        float[] out = original.chw().clone();
        for (int y = y1; y < y2; y++) {
            for (int x = x1; x < x2; x++) {
                float m = Math.max(0f, Math.min(shown[y * w + x], 1f));
                for (int c = 0; c < 3; c++) {
                    int at = c * plane + y * w + x;
                    out[at] = out[at] * (1 - m) + fitted.get(c, y - y1, x - x1) * m;
                }
            }
        }
        return new RgbImage(w, original.height(), out);
    }

    private RgbImage cut(RgbImage image) {
        float[] out = new float[3 * width() * height()];
        int plane = image.width() * image.height();
        for (int c = 0; c < 3; c++) {
            float[] channel = java.util.Arrays.copyOfRange(image.chw(), c * plane, (c + 1) * plane);
            System.arraycopy(cutPlane(channel, image.width()), 0, out, c * width() * height(), width() * height());
        }
        return new RgbImage(width(), height(), out);
    }

    private float[] cutPlane(float[] plane, int planeWidth) {
        float[] out = new float[width() * height()];
        for (int y = y1; y < y2; y++) {
            System.arraycopy(plane, y * planeWidth + x1, out, (y - y1) * width(), width());
        }
        return out;
    }
}

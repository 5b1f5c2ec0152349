package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.image.RgbImage;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Outpainting: the picture's canvas extended by some pixels on each side, the new pixels copies of the nearest edge
 * pixel ({@code F.pad(..., mode="replicate")}), and inpainting of exactly the new area.
 *
 * @param left   pixels added on the left
 * @param right  pixels added on the right
 * @param top    pixels added above
 * @param bottom pixels added below
 */
public record Outpaint(int left, int right, int top, int bottom) {
    public Outpaint {
        if (left < 0 || right < 0 || top < 0 || bottom < 0 || left + right + top + bottom == 0) {
            throw new IllegalArgumentException("extend = " + left + "," + right + "," + top + "," + bottom
                    + ": expected LEFT,RIGHT,TOP,BOTTOM pixels, none negative, not all 0");
        }
    }

    /** {@code image} on the extended canvas, the new pixels repeating the edge. */
    public RgbImage canvas(RgbImage image) {
        int width = image.width() + left + right;
        int height = image.height() + top + bottom;
        float[] out = new float[3 * width * height];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < height; y++) {
                int sy = Math.max(0, Math.min(y - top, image.height() - 1));
                for (int x = 0; x < width; x++) {
                    int sx = Math.max(0, Math.min(x - left, image.width() - 1));
                    out[(c * height + y) * width + x] = image.get(c, sy, sx);
                }
            }
        }
        return new RgbImage(width, height, out);
    }

    /** 1 on the new pixels of the canvas around {@code image}, 0 on the picture's own. */
    public float[] mask(RgbImage image) {
        int width = image.width() + left + right;
        int height = image.height() + top + bottom;
        float[] mask = new float[width * height];
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                boolean inside = x >= left && x < left + image.width() && y >= top && y < top + image.height();
                mask[y * width + x] = inside ? 0f : 1f;
            }
        }
        return mask;
    }

    /**
     * {@code base} made an outpainting of {@code image}: its size the canvas's, its init image the canvas at
     * {@code strength}, its mask the new area blurred by {@code maskBlur} pixels (0 keeps it sharp).
     */
    public GenerationRequest request(GenerationRequest base, RgbImage image, double strength, int maskBlur) {
        RgbImage canvas = canvas(image);
        return new GenerationRequest(base.prompt(), base.negativePrompt(), base.sampler(), base.schedule(),
                base.eta(), base.steps(), base.cfgScale(), base.seed(), canvas.width(), canvas.height(), base.batch(),
                base.clipSkip(), base.emphasis(), base.loras(),
                Optional.of(new InitImage(canvas, strength, ResizeMode.JUST_RESIZE)),
                Optional.of(new InpaintMask(canvas.width(), canvas.height(), mask(image), maskBlur, false,
                        MaskedContent.ORIGINAL, OptionalInt.empty())),
                base.hires(), base.controlNets());
    }
}

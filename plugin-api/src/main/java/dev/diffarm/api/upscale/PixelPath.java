package dev.diffarm.api.upscale;

/** How pictures go into a network upscaler and how its tiles' outputs are held and blended. */
public enum PixelPath {
    /**
     * RGB in, as Real-ESRGAN's and ComfyUI's inference feed a network; each tile's output clamped to [0, 1] and kept in
     * float, seams blended in float.
     */
    RGB_FLOAT,
    /**
     * AUTOMATIC1111's exact path ({@code upscaler_utils.upscale_pil_patch} and {@code images.combine_grid}): the
     * network sees the channels reversed (BGR) and its output is reversed back; each tile's output is clamped, scaled
     * by 255 and truncated to 8 bits, and seams are blended as Pillow's {@code paste(mask=L)} blends 8-bit pixels,
     * {@code t = dst * (255 - m) + src * m + 128; out = ((t >> 8) + t) >> 8}. For matching A1111's pictures pixel for
     * pixel; only with the {@link TileLayout#GRID} layout.
     */
    A1111_BGR8
}

package dev.diffarm.engine.image;

/**
 * The conversions between float pixels and 8-bit samples, computed as diffusers computes them so that
 * saved images and img2img inputs match its pipelines byte for byte.
 */
final class PixelCodec {
    private PixelCodec() {
    }

    /**
     * diffusers' {@code numpy_to_pil}: {@code (images * 255).round().astype("uint8")} on float32 values
     * that {@code postprocess} has clamped to [0, 1]. The product is taken in float32 and numpy rounds
     * half to even (126.5 becomes 126), which {@link Math#rint} does and {@link Math#round} does not.
     * {@code x} must not be NaN.
     */
    static int toByte(float x) {
        float clamped = Math.min(1f, Math.max(0f, x));
        return (int) Math.rint(clamped * 255f);
    }

    /** diffusers' {@code pil_to_numpy}: {@code np.array(image).astype(np.float32) / 255.0}, in float32. */
    static float toFloat(int sample) {
        return sample / 255f;
    }
}

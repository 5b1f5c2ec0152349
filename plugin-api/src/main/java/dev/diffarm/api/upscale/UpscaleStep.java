package dev.diffarm.api.upscale;

import dev.diffarm.api.image.Picture;

/** One run of an upscaler inside {@link ScaleRule}: a network's pass, or a resampler to the scale asked for. */
@FunctionalInterface
public interface UpscaleStep {
    /**
     * @param picture the picture as it is now
     * @param scale   the factor the whole upscale asks for (A1111's {@code self.scale}); a network ignores it and
     *                enlarges by its own
     */
    Picture run(Picture picture, double scale);

    /** A resampler's run: to {@code int(w * scale)} x {@code int(h * scale)}, as A1111's Lanczos and Nearest do. */
    static UpscaleStep resampling(Upscaler upscaler) {
        return (p, scale) -> upscaler.resize(p, (int) (p.width() * scale), (int) (p.height() * scale));
    }
}

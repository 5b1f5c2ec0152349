package dev.diffarm.upscalers;

import dev.diffarm.api.image.Picture;
import dev.diffarm.api.image.PillowResize;
import dev.diffarm.api.upscale.Upscaler;
import org.pf4j.Extension;

/**
 * AUTOMATIC1111's "Lanczos" upscaler ({@code UpscalerLanczos}: {@code img.resize(size, resample=LANCZOS)} on its
 * 8-bit PIL image): Pillow's Lanczos filter, computed on the picture's 8-bit values as Pillow computes it, so an
 * 8-bit picture comes out equal to A1111's, sample for sample.
 */
@Extension
public final class Lanczos implements Upscaler {
    @Override
    public String name() {
        return "Lanczos";
    }

    @Override
    public Picture resize(Picture picture, int width, int height) {
        return PillowResize.lanczos(picture, width, height);
    }
}

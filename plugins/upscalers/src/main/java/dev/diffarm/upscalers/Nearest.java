package dev.diffarm.upscalers;

import dev.diffarm.api.image.Picture;
import dev.diffarm.api.image.PillowResize;
import dev.diffarm.api.upscale.Upscaler;
import org.pf4j.Extension;

/**
 * AUTOMATIC1111's "Nearest" upscaler ({@code UpscalerNearest}: {@code img.resize(size, resample=NEAREST)}): Pillow's
 * nearest neighbour, each output pixel the input pixel under its centre, picked as Pillow picks it.
 */
@Extension
public final class Nearest implements Upscaler {
    @Override
    public String name() {
        return "Nearest";
    }

    @Override
    public Picture resize(Picture picture, int width, int height) {
        return PillowResize.nearest(picture, width, height);
    }
}

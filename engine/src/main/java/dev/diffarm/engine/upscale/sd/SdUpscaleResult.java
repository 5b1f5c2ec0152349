package dev.diffarm.engine.upscale.sd;

import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;

/**
 * What an SD x4 upscale made.
 *
 * @param image       the enlarged picture, in [0, 1]
 * @param infotext    its PNG's {@code parameters} text, in AUTOMATIC1111's form
 * @param latents     the final latents before the VAE, as diffusers' {@code output_type="latent"} gives them
 * @param latentShape their shape [1, channels, h, w]: the low-res picture's size
 */
public record SdUpscaleResult(Picture image, String infotext, float[] latents, long[] latentShape) {
    /** The PNG of the enlarged picture with its infotext: the file the CLI and the farm write. */
    public byte[] png() {
        return PngWriter.encode(new RgbImage(image.width(), image.height(), image.chw()), infotext);
    }
}

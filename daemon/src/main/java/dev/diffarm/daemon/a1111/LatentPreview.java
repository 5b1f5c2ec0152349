package dev.diffarm.daemon.a1111;

import dev.diffarm.daemon.job.LatentSnapshot;
import dev.diffarm.engine.image.PngWriter;
import dev.diffarm.engine.image.RgbImage;
import java.util.Optional;

/**
 * A rough picture of a latent, without the VAE: each pixel's RGB a fixed linear mix of its four latent channels, as
 * A1111's "Approx cheap" live preview makes it (the mix below is the one A1111 fitted for SD 1.x latents). One pixel
 * per latent cell, so an eighth of the image's size for SD 1.x; a few microseconds, so a progress poll can afford it.
 */
final class LatentPreview {
    /** RGB weights of latent channels 0..3, row by channel. */
    private static final float[][] MIX = {
            {0.298f, 0.207f, 0.208f},
            {0.187f, 0.286f, 0.173f},
            {-0.158f, 0.189f, 0.264f},
            {-0.184f, -0.271f, -0.473f}};

    private LatentPreview() {
    }

    /** The preview as a PNG; empty for a latent of other than four channels, whose mix is not known here. */
    static Optional<byte[]> png(LatentSnapshot latent) {
        if (latent.shape()[0] != MIX.length) {
            return Optional.empty();
        }
        int h = (int) latent.shape()[1];
        int w = (int) latent.shape()[2];
        int plane = h * w;
        float[] values = latent.values();
        float[] rgb = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                float sum = 0;
                for (int l = 0; l < MIX.length; l++) {
                    sum += values[l * plane + i] * MIX[l][c];
                }
                // from about [-1, 1] to [0, 1]
                rgb[c * plane + i] = Math.min(1f, Math.max(0f, (sum + 1) / 2));
            }
        }
        return Optional.of(PngWriter.encode(new RgbImage(w, h, rgb), ""));
    }
}

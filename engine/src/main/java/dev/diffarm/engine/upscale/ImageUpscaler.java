package dev.diffarm.engine.upscale;

import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;

/**
 * An upscaler ready to run: a resampling plugin ({@code Lanczos}) or a network loaded from a model file
 * ({@code 4x-UltraSharp}), with AUTOMATIC1111's rule for reaching the size asked for
 * ({@link dev.diffarm.api.upscale.ScaleRule}). Close it to free the network's weights.
 */
public interface ImageUpscaler extends AutoCloseable {
    /** The name A1111 shows and infotext records: the resampler's, or the model file's name without extension. */
    String label();

    /**
     * A1111's {@code Upscaler.upscale(img, scale)}, as its "Extras" tab runs it: the result is {@code w * scale} x
     * {@code h * scale} rounded down to multiples of 8.
     *
     * @throws java.util.concurrent.CancellationException if {@code progress} is cancelled between tiles
     */
    Picture upscale(Picture picture, double scale, Progress progress);

    /**
     * A1111's {@code images.resize_image} with this upscaler, as the hires fix enlarges its first pass: exactly
     * {@code width} x {@code height}.
     */
    Picture resize(Picture picture, int width, int height, Progress progress);

    @Override
    void close();
}

package dev.diffarm.engine.pipeline;

import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;
import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.upscale.ImageUpscaler;

/**
 * A hires pass that enlarges pictures, as A1111's {@code sample_hr_pass} does with an upscaler that is not a latent
 * mode: each first-pass image, decoded and cut to 8 bits as A1111's {@code x_sample.astype(np.uint8)} cuts it
 * (truncating), is resized with the upscaler to the hires size ({@code images.resize_image}), kept in 8 bits as
 * A1111's PIL image is, and then encoded again.
 *
 * @param upscaler the plugin upscaler, open for as long as the request is rendered; its owner closes it
 */
public record ImageHiresUpscaler(ImageUpscaler upscaler) implements HiresUpscaler {
    @Override
    public String label() {
        return upscaler.label();
    }

    /** {@code image} as A1111 enlarges it: 8-bit in, exactly {@code width} x {@code height}, 8-bit out. */
    RgbImage resize(RgbImage image, int width, int height, Progress progress) {
        byte[] rgb = new byte[image.chw().length];
        int plane = image.width() * image.height();
        for (int p = 0; p < plane; p++) {
            for (int c = 0; c < 3; c++) {
                float v = Math.min(1f, Math.max(0f, image.chw()[c * plane + p]));
                rgb[3 * p + c] = (byte) (int) (255f * v);
            }
        }
        Picture picture = Picture.fromRgb8(image.width(), image.height(), rgb);
        Picture big = upscaler.resize(picture, width, height, progress);
        Picture eightBit = Picture.fromRgb8(big.width(), big.height(), big.toRgb8());
        return new RgbImage(eightBit.width(), eightBit.height(), eightBit.chw());
    }
}

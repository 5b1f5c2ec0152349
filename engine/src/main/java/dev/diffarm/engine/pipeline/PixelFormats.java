package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.image.RgbImage;
import dev.diffarm.engine.train.data.Rgb8Image;

/** Between decoded 8-bit pictures and the [0, 1] float images the pipeline works on. */
public final class PixelFormats {
    private PixelFormats() {
    }

    /** {@code image} with each sample {@code v} as {@code v / 255}. */
    public static RgbImage toUnit(Rgb8Image image) {
        int plane = image.width() * image.height();
        float[] chw = new float[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                chw[c * plane + i] = (image.rgb()[i * 3 + c] & 0xff) / 255f;
            }
        }
        return new RgbImage(image.width(), image.height(), chw);
    }

    /** {@code image} rounded to 8 bits, values outside [0, 1] clipped. */
    public static Rgb8Image to8Bit(RgbImage image) {
        int plane = image.width() * image.height();
        byte[] rgb = new byte[3 * plane];
        for (int i = 0; i < plane; i++) {
            for (int c = 0; c < 3; c++) {
                rgb[i * 3 + c] = (byte) Math.round(Math.max(0f, Math.min(image.chw()[c * plane + i], 1f)) * 255f);
            }
        }
        return new Rgb8Image(image.width(), image.height(), rgb);
    }

    /**
     * A mask picture as A1111 reads one: converted to grey as Pillow's {@code convert("L")} does
     * ({@code (19595 R + 38470 G + 7471 B + 32768) >> 16}), then {@code / 255}; one value per pixel.
     */
    public static float[] grey(Rgb8Image image) {
        int plane = image.width() * image.height();
        float[] grey = new float[plane];
        byte[] rgb = image.rgb();
        for (int i = 0; i < plane; i++) {
            int l = (19595 * (rgb[i * 3] & 0xff) + 38470 * (rgb[i * 3 + 1] & 0xff) + 7471 * (rgb[i * 3 + 2] & 0xff)
                    + 32768) >> 16;
            grey[i] = l / 255f;
        }
        return grey;
    }
}

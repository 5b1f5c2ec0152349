package dev.diffarm.farm.config;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;
import javax.imageio.ImageIO;

/** Small pictures for jobs that name one inline. */
final class TestPictures {
    private TestPictures() {
    }

    /** A {@code width} x {@code height} PNG, a grey ramp, as a data URI. */
    static String png(int width, int height) {
        return "data:image/png;base64," + Base64.getEncoder().encodeToString(encode(width, height, "png"));
    }

    /** A {@code width} x {@code height} JPEG as a data URI. */
    static String jpeg(int width, int height) {
        return "data:image/jpeg;base64," + Base64.getEncoder().encodeToString(encode(width, height, "jpeg"));
    }

    static InlineImage inline(int width, int height) {
        return InlineImage.parse(png(width, height));
    }

    private static byte[] encode(int width, int height, String format) {
        BufferedImage image = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < height; y++) {
            for (int x = 0; x < width; x++) {
                int grey = (x + y) % 256;
                image.setRGB(x, y, grey << 16 | grey << 8 | grey);
            }
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, format, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}

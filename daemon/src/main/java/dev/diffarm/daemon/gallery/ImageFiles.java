package dev.diffarm.daemon.gallery;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import javax.imageio.ImageIO;

/** Images to and from the bytes of their files, in memory. */
final class ImageFiles {
    private ImageFiles() {
    }

    /** The image in {@code file}; null when it is not a readable image. */
    static BufferedImage decode(byte[] file) {
        try {
            return ImageIO.read(new ByteArrayInputStream(file));
        } catch (IOException unreadable) {
            return null;
        }
    }

    /** {@code image} as a PNG file. */
    static byte[] png(BufferedImage image) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            ImageIO.write(image, "png", out);
        } catch (IOException e) {
            // only memory is written to
            throw new UncheckedIOException("cannot encode a PNG", e);
        }
        return out.toByteArray();
    }
}

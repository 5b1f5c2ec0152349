package dev.diffarm.daemon.gallery;

import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.Optional;

/**
 * A small copy of an image for overviews: the image scaled down to fit a {@value #SIDE}-pixel square, as a PNG. An
 * image that fits already is its own thumbnail, the same bytes; contact sheets enlarge it as they draw it.
 */
public final class Thumbnail {
    /** The longest side of a thumbnail: a contact sheet's cell. */
    public static final int SIDE = ContactSheet.CELL;

    private Thumbnail() {
    }

    /** The thumbnail of the PNG {@code png}; empty when it is not a readable image. */
    public static Optional<byte[]> of(byte[] png) {
        BufferedImage image = ImageFiles.decode(png);
        if (image == null) {
            return Optional.empty();
        }
        if (image.getWidth() <= SIDE && image.getHeight() <= SIDE) {
            return Optional.of(png);
        }
        double scale = Math.min((double) SIDE / image.getWidth(), (double) SIDE / image.getHeight());
        int width = Math.max(1, (int) Math.round(image.getWidth() * scale));
        int height = Math.max(1, (int) Math.round(image.getHeight() * scale));
        BufferedImage small = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = small.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.setRenderingHint(RenderingHints.KEY_RENDERING, RenderingHints.VALUE_RENDER_QUALITY);
            g.drawImage(image, 0, 0, width, height, null);
        } finally {
            g.dispose();
        }
        return Optional.of(ImageFiles.png(small));
    }
}

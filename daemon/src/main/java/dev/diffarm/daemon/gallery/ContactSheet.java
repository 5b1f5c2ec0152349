package dev.diffarm.daemon.gallery;

import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.util.List;

/**
 * One PNG showing images in a grid (a job's thumbnails, a page of them at a time), each with a caption, drawn off-screen with Java2D (headless).
 * Images are scaled to fit a {@value #CELL}-pixel square, small ones enlarged with nearest-neighbour
 * sampling so that their pixels stay visible. The grid is as square as the count allows, filled row by row
 * in plan order.
 */
public final class ContactSheet {
    /** Side of the square each image is fitted into. */
    static final int CELL = 256;
    private static final int PAD = 12;
    private static final int LINE = 16;
    private static final int CAPTION_LINES = 2;
    private static final int TITLE = 28;
    private static final Color BACKGROUND = new Color(0x20, 0x22, 0x25);
    private static final Color TEXT = new Color(0xE8, 0xE8, 0xE8);
    private static final Color MUTED = new Color(0xA0, 0xA4, 0xAA);

    /**
     * One image with its caption.
     *
     * @param heading the first caption line, such as {@code t0003  seed 2}
     * @param text    the second, such as the prompt; shortened with an ellipsis to fit
     * @param png     the image file, normally its {@link Thumbnail}; not an image draws a placeholder
     */
    public record Tile(String heading, String text, byte[] png) {
    }

    private ContactSheet() {
    }

    /** The sheet of {@code tiles} under {@code title}, as square as the count allows, as a PNG. */
    public static byte[] render(String title, List<Tile> tiles) {
        return render(title, tiles, (int) Math.ceil(Math.sqrt(tiles.size())));
    }

    /** The sheet of {@code tiles} under {@code title} in rows of {@code columns}, as a PNG (a grid of rows and columns). */
    public static byte[] render(String title, List<Tile> tiles, int columns) {
        columns = Math.max(1, columns);
        int rows = Math.max(1, (tiles.size() + columns - 1) / columns);
        int cellHeight = CELL + CAPTION_LINES * LINE + PAD;
        int width = PAD + columns * (CELL + PAD);
        int height = TITLE + PAD + rows * cellHeight;
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, width, height);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.setColor(TEXT);
            g.drawString(fit(g.getFontMetrics(), title, width - 2 * PAD), PAD, TITLE - 6);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            for (int i = 0; i < tiles.size(); i++) {
                int x = PAD + (i % columns) * (CELL + PAD);
                int y = TITLE + PAD + (i / columns) * cellHeight;
                drawTile(g, tiles.get(i), x, y);
            }
        } finally {
            g.dispose();
        }
        return ImageFiles.png(sheet);
    }

    private static void drawTile(Graphics2D g, Tile tile, int x, int y) {
        BufferedImage image = ImageFiles.decode(tile.png());
        if (image != null) {
            double scale = Math.min((double) CELL / image.getWidth(), (double) CELL / image.getHeight());
            int w = Math.max(1, (int) Math.round(image.getWidth() * scale));
            int h = Math.max(1, (int) Math.round(image.getHeight() * scale));
            g.setRenderingHint(RenderingHints.KEY_INTERPOLATION, scale > 1
                    ? RenderingHints.VALUE_INTERPOLATION_NEAREST_NEIGHBOR : RenderingHints.VALUE_INTERPOLATION_BILINEAR);
            g.drawImage(image, x + (CELL - w) / 2, y + (CELL - h) / 2, w, h, null);
        } else {
            g.setColor(MUTED);
            g.drawRect(x, y, CELL - 1, CELL - 1);
            g.drawString("(not a readable image)", x + PAD, y + CELL / 2);
        }
        FontMetrics metrics = g.getFontMetrics();
        g.setColor(TEXT);
        g.drawString(fit(metrics, tile.heading(), CELL), x, y + CELL + LINE - 2);
        g.setColor(MUTED);
        g.drawString(fit(metrics, tile.text(), CELL), x, y + CELL + 2 * LINE - 2);
    }

    /** {@code text} on one line, cut with an ellipsis where it would run past {@code width} pixels. */
    static String fit(FontMetrics metrics, String text, int width) {
        String line = text.replaceAll("\\s+", " ").strip();
        if (metrics.stringWidth(line) <= width) {
            return line;
        }
        int end = line.length();
        while (end > 0 && metrics.stringWidth(line.substring(0, end) + "\u2026") > width) {
            end--;
        }
        return line.substring(0, end) + "\u2026";
    }
}

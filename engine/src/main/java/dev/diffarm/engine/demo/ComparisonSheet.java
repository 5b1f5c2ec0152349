package dev.diffarm.engine.demo;

import dev.diffarm.engine.image.RgbImage;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * One PNG of labelled rows of images, each image enlarged by whole pixels (the demo's images are small), with a
 * heading above each column. Drawn off-screen with Java2D.
 */
public final class ComparisonSheet {
    private static final int SCALE = 3;
    private static final int LABEL = 120;
    private static final int HEADING = 22;
    private static final int PAD = 6;

    /** A row: its label and its images, one per column. */
    public record Row(String label, List<RgbImage> images) {
    }

    private ComparisonSheet() {
    }

    /** Writes the sheet to {@code file}. Every image must have the first one's size. */
    public static void write(List<String> headings, List<Row> rows, Path file) throws IOException {
        RgbImage first = rows.get(0).images().get(0);
        int cellW = first.width() * SCALE;
        int cellH = first.height() * SCALE;
        int width = LABEL + headings.size() * (cellW + PAD) + PAD;
        int height = HEADING + rows.size() * (cellH + PAD) + PAD;
        BufferedImage sheet = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = sheet.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, width, height);
            g.setColor(Color.BLACK);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            for (int c = 0; c < headings.size(); c++) {
                g.drawString(headings.get(c), LABEL + c * (cellW + PAD), HEADING - 7);
            }
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                if (row.images().size() != headings.size()) {
                    throw new IllegalArgumentException("sheet row '" + row.label() + "': expected " + headings.size()
                            + " images, got " + row.images().size());
                }
                int y = HEADING + r * (cellH + PAD);
                g.drawString(row.label(), PAD, y + cellH / 2);
                for (int c = 0; c < row.images().size(); c++) {
                    draw(sheet, row.images().get(c), first, LABEL + c * (cellW + PAD), y);
                }
            }
        } finally {
            g.dispose();
        }
        Files.createDirectories(file.toAbsolutePath().getParent());
        ImageIO.write(sheet, "png", file.toFile());
    }

    private static void draw(BufferedImage sheet, RgbImage image, RgbImage first, int left, int top) {
        if (image.width() != first.width() || image.height() != first.height()) {
            throw new IllegalArgumentException("sheet: expected every image " + first.width() + "x" + first.height()
                    + ", got " + image.width() + "x" + image.height());
        }
        for (int y = 0; y < image.height() * SCALE; y++) {
            for (int x = 0; x < image.width() * SCALE; x++) {
                int py = y / SCALE;
                int px = x / SCALE;
                int rgb = (byte255(image.get(0, py, px)) << 16) | (byte255(image.get(1, py, px)) << 8)
                        | byte255(image.get(2, py, px));
                sheet.setRGB(left + x, top + y, rgb);
            }
        }
    }

    private static int byte255(float value) {
        return Math.round(Math.max(0f, Math.min(1f, value)) * 255f);
    }
}

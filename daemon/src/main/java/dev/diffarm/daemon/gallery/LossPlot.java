package dev.diffarm.daemon.gallery;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.FontMetrics;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.geom.Path2D;
import java.awt.image.BufferedImage;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * A training run's loss curve as a PNG, drawn off-screen with Java2D: the raw loss of every step (thin) and the loss
 * smoothed (thick) against the step, with labelled axes, ticks and a legend. Non-finite losses (a run gone NaN) are
 * left out of the curves.
 */
public final class LossPlot {
    static final int WIDTH = 720;
    static final int HEIGHT = 420;
    private static final int LEFT = 72;
    private static final int RIGHT = 24;
    private static final int TOP = 40;
    private static final int BOTTOM = 56;
    private static final int TICKS = 5;
    private static final Color BACKGROUND = new Color(0x20, 0x22, 0x25);
    private static final Color AXES = new Color(0xA0, 0xA4, 0xAA);
    private static final Color GRID = new Color(0x38, 0x3B, 0x40);
    private static final Color TEXT = new Color(0xE8, 0xE8, 0xE8);
    private static final Color RAW = new Color(0x8A, 0xB4, 0xF8, 0x90);
    private static final Color SMOOTHED = new Color(0xF2, 0x8B, 0x38);

    /** The figures of one step. */
    public record Point(long step, double loss, double smoothed) {
    }

    private LossPlot() {
    }

    /** The plot of {@code points} (in step order) under {@code title}, as a PNG. */
    public static byte[] render(String title, List<Point> points) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(BACKGROUND);
            g.fillRect(0, 0, WIDTH, HEIGHT);
            g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 14));
            g.setColor(TEXT);
            g.drawString(ContactSheet.fit(g.getFontMetrics(), title, WIDTH - LEFT - RIGHT), LEFT, TOP - 16);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 11));
            Scale scale = Scale.of(points);
            drawAxes(g, scale);
            drawCurve(g, scale, points, Point::loss, RAW, 1f);
            drawCurve(g, scale, points, Point::smoothed, SMOOTHED, 2.5f);
            drawLegend(g);
            if (points.isEmpty()) {
                g.setColor(AXES);
                g.drawString("(no step yet)", LEFT + 12, TOP + 20);
            }
        } finally {
            g.dispose();
        }
        return ImageFiles.png(image);
    }

    /** The ranges shown: steps from 0 to the last, the loss from its lowest to its highest finite value. */
    private record Scale(double firstStep, double lastStep, double low, double high) {
        static Scale of(List<Point> points) {
            double low = Double.POSITIVE_INFINITY;
            double high = Double.NEGATIVE_INFINITY;
            for (Point p : points) {
                for (double v : new double[] {p.loss(), p.smoothed()}) {
                    if (Double.isFinite(v)) {
                        low = Math.min(low, v);
                        high = Math.max(high, v);
                    }
                }
            }
            if (!(low <= high)) {
                low = 0;
                high = 1;
            } else if (high - low < 1e-12) {
                // a flat curve in the middle of the plot rather than on its edge
                low -= 0.5;
                high += 0.5;
            }
            double lastStep = points.isEmpty() ? 1 : Math.max(1, points.get(points.size() - 1).step());
            return new Scale(0, lastStep, low, high);
        }

        double x(double step) {
            return LEFT + (step - firstStep) / (lastStep - firstStep) * (WIDTH - LEFT - RIGHT);
        }

        double y(double loss) {
            return HEIGHT - BOTTOM - (loss - low) / (high - low) * (HEIGHT - TOP - BOTTOM);
        }
    }

    private static void drawAxes(Graphics2D g, Scale s) {
        FontMetrics metrics = g.getFontMetrics();
        int bottom = HEIGHT - BOTTOM;
        for (int i = 0; i <= TICKS; i++) {
            double loss = s.low() + (s.high() - s.low()) * i / TICKS;
            int y = (int) Math.round(s.y(loss));
            g.setColor(GRID);
            g.drawLine(LEFT, y, WIDTH - RIGHT, y);
            g.setColor(AXES);
            String label = String.format(Locale.ROOT, "%.4g", loss);
            g.drawString(label, LEFT - 6 - metrics.stringWidth(label), y + metrics.getAscent() / 2 - 1);
            long step = Math.round(s.firstStep() + (s.lastStep() - s.firstStep()) * i / TICKS);
            int x = (int) Math.round(s.x(step));
            g.drawLine(x, bottom, x, bottom + 4);
            String stepLabel = Long.toString(step);
            g.drawString(stepLabel, x - metrics.stringWidth(stepLabel) / 2, bottom + 6 + metrics.getAscent());
        }
        g.setColor(AXES);
        g.drawLine(LEFT, TOP, LEFT, bottom);
        g.drawLine(LEFT, bottom, WIDTH - RIGHT, bottom);
        g.setColor(TEXT);
        g.drawString("step", (LEFT + WIDTH - RIGHT - metrics.stringWidth("step")) / 2, HEIGHT - 12);
        Graphics2D vertical = (Graphics2D) g.create();
        try {
            vertical.rotate(-Math.PI / 2);
            vertical.drawString("loss", -(TOP + bottom + metrics.stringWidth("loss")) / 2, 16);
        } finally {
            vertical.dispose();
        }
    }

    private static void drawCurve(Graphics2D g, Scale s, List<Point> points, ToDoubleFunction<Point> value, Color color,
                                  float width) {
        Path2D.Double path = new Path2D.Double();
        boolean open = false;
        for (Point p : points) {
            double v = value.applyAsDouble(p);
            if (!Double.isFinite(v)) {
                open = false;
                continue;
            }
            if (open) {
                path.lineTo(s.x(p.step()), s.y(v));
            } else {
                path.moveTo(s.x(p.step()), s.y(v));
                open = true;
            }
        }
        g.setColor(color);
        g.setStroke(new BasicStroke(width, BasicStroke.CAP_ROUND, BasicStroke.JOIN_ROUND));
        g.draw(path);
        if (points.size() == 1 && Double.isFinite(value.applyAsDouble(points.get(0)))) {
            // one step draws no line: a dot shows it
            int r = Math.round(width) + 2;
            g.fillOval((int) s.x(points.get(0).step()) - r, (int) s.y(value.applyAsDouble(points.get(0))) - r, 2 * r, 2 * r);
        }
        g.setStroke(new BasicStroke(1f));
    }

    private static void drawLegend(Graphics2D g) {
        int x = WIDTH - RIGHT - 190;
        int y = TOP - 16;
        g.setColor(RAW);
        g.fillRect(x, y - 8, 18, 3);
        g.setColor(TEXT);
        g.drawString("loss", x + 24, y - 3);
        g.setColor(SMOOTHED);
        g.fillRect(x + 70, y - 9, 18, 4);
        g.setColor(TEXT);
        g.drawString("smoothed (EMA 0.9)", x + 94, y - 3);
    }
}

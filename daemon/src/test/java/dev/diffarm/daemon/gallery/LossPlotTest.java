package dev.diffarm.daemon.gallery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The loss curve: both curves drawn, a loss gone NaN left out rather than failing the plot, an empty run a blank plot. */
class LossPlotTest {
    private static final int SMOOTHED = 0xF28B38;

    @Test
    void bothCurvesAreDrawnAndANonFiniteLossIsLeftOut() {
        List<LossPlot.Point> points = new ArrayList<>();
        for (int step = 1; step <= 50; step++) {
            double loss = step == 25 ? Double.NaN : 1.0 / step;
            points.add(new LossPlot.Point(step, loss, 1.0 / Math.sqrt(step)));
        }

        BufferedImage plot = ImageFiles.decode(LossPlot.render("job  out: loss by step", points));

        assertEquals(List.of(LossPlot.WIDTH, LossPlot.HEIGHT), List.of(plot.getWidth(), plot.getHeight()));
        int smoothed = count(plot, SMOOTHED);
        assertTrue(smoothed > 200, "the smoothed curve is drawn: " + smoothed + " pixels of its colour");
        System.out.println("loss plot: " + smoothed + " pixels of the smoothed curve");
    }

    @Test
    void aRunWithoutStepsGivesAPlotWithoutCurves() {
        BufferedImage plot = ImageFiles.decode(LossPlot.render("job  out: loss by step", List.of()));

        assertEquals(LossPlot.WIDTH, plot.getWidth());
        // the legend's sample of the smoothed colour is 18 x 4 pixels: nothing else has the colour
        assertEquals(18 * 4, count(plot, SMOOTHED));
    }

    private static int count(BufferedImage image, int rgb) {
        int n = 0;
        for (int y = 0; y < image.getHeight(); y++) {
            for (int x = 0; x < image.getWidth(); x++) {
                n += (image.getRGB(x, y) & 0xFFFFFF) == rgb ? 1 : 0;
            }
        }
        return n;
    }
}

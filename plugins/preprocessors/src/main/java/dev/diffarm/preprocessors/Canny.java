package dev.diffarm.preprocessors;

import dev.diffarm.api.control.ControlPreprocessor;
import dev.diffarm.api.image.Picture;
import java.util.Map;
import org.pf4j.Extension;

/**
 * sd-webui-controlnet's {@code canny}: the picture's edge map ({@link CannyEdges}, OpenCV's {@code cv2.Canny} on
 * its 8-bit RGB values), white edges on black in all three channels, what a Canny ControlNet was trained on.
 *
 * <p>Options, with the extension's defaults: {@code low_threshold} 100 and {@code high_threshold} 200 (its
 * "Threshold A" and "Threshold B"; each from 0 to 2040, the largest gradient an 8-bit picture can have; if the low
 * one is above the high one they are swapped, as OpenCV does); {@code pad_to_64} 0, or 1 for what the extension's
 * processor does at a preprocessor resolution equal to the picture's shorter side: the picture edge-padded on the
 * right and bottom to multiples of 64, its edges found, and cropped back, which can change a few pixels near those
 * borders.
 */
@Extension
public final class Canny implements ControlPreprocessor {
    /** The options' names, as sd-webui-controlnet's API and presets spell the thresholds. */
    public static final String LOW_THRESHOLD = "low_threshold";
    public static final String HIGH_THRESHOLD = "high_threshold";
    public static final String PAD_TO_64 = "pad_to_64";

    /** {@code |dx| + |dy|} of a 3x3 Sobel on 8-bit values is at most 4 · 255 + 4 · 255. */
    private static final double LARGEST_MAGNITUDE = 2040;
    private static final int PADDING_MULTIPLE = 64;
    private static final int CHANNELS = 3;

    @Override
    public String name() {
        return "canny";
    }

    @Override
    public Map<String, Double> defaults() {
        return Map.of(LOW_THRESHOLD, 100.0, HIGH_THRESHOLD, 200.0, PAD_TO_64, 0.0);
    }

    @Override
    public Picture apply(Picture picture, Map<String, Double> options) {
        PreprocessorOptions resolved = PreprocessorOptions.resolve(name(), defaults(), options);
        double low = resolved.number(LOW_THRESHOLD, 0, LARGEST_MAGNITUDE);
        double high = resolved.number(HIGH_THRESHOLD, 0, LARGEST_MAGNITUDE);
        boolean padded = resolved.flag(PAD_TO_64);
        int width = picture.width();
        int height = picture.height();
        byte[] rgb = picture.toRgb8();
        boolean[] edges;
        if (padded) {
            int paddedWidth = roundedUp(width);
            int paddedHeight = roundedUp(height);
            boolean[] paddedEdges = CannyEdges.detect(paddedWidth, paddedHeight,
                    edgePadded(rgb, width, height, paddedWidth, paddedHeight), Math.min(low, high), Math.max(low, high));
            edges = cropped(paddedEdges, paddedWidth, width, height);
        } else {
            edges = CannyEdges.detect(width, height, rgb, Math.min(low, high), Math.max(low, high));
        }
        return inEveryChannel(edges, width, height);
    }

    private static int roundedUp(int size) {
        return (size + PADDING_MULTIPLE - 1) / PADDING_MULTIPLE * PADDING_MULTIPLE;
    }

    /** {@code rgb} with its last column repeated to the right and its last row below, as numpy's {@code mode='edge'}. */
    private static byte[] edgePadded(byte[] rgb, int width, int height, int paddedWidth, int paddedHeight) {
        byte[] padded = new byte[CHANNELS * paddedWidth * paddedHeight];
        for (int y = 0; y < paddedHeight; y++) {
            int from = Math.min(y, height - 1) * width;
            int to = y * paddedWidth;
            System.arraycopy(rgb, CHANNELS * from, padded, CHANNELS * to, CHANNELS * width);
            for (int x = width; x < paddedWidth; x++) {
                System.arraycopy(rgb, CHANNELS * (from + width - 1), padded, CHANNELS * (to + x), CHANNELS);
            }
        }
        return padded;
    }

    private static boolean[] cropped(boolean[] map, int mapWidth, int width, int height) {
        boolean[] crop = new boolean[width * height];
        for (int y = 0; y < height; y++) {
            System.arraycopy(map, y * mapWidth, crop, y * width, width);
        }
        return crop;
    }

    /** The map as a picture: 1 where there is an edge and 0 elsewhere, the same in red, green and blue. */
    private static Picture inEveryChannel(boolean[] edges, int width, int height) {
        int plane = width * height;
        float[] chw = new float[CHANNELS * plane];
        for (int p = 0; p < plane; p++) {
            if (edges[p]) {
                for (int c = 0; c < CHANNELS; c++) {
                    chw[c * plane + p] = 1f;
                }
            }
        }
        return new Picture(width, height, chw);
    }
}

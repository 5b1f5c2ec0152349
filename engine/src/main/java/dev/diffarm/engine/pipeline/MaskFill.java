package dev.diffarm.engine.pipeline;

import dev.diffarm.engine.image.RgbImage;

/**
 * A1111's {@code masking.fill}: the masked area painted with the colours of the kept pixels around it. The kept
 * pixels, with coverage 1 (0 in the masked area), are blurred with premultiplied colour at falling radii and laid
 * over each other, so that each pixel of the area takes the colour of the nearest kept pixels at the finest radius
 * that reaches any.
 */
final class MaskFill {
    /** A1111's radii and how often each blurred layer is laid over the canvas. */
    private static final int[][] LAYERS = {{256, 1}, {64, 1}, {16, 2}, {4, 4}, {2, 2}, {0, 1}};

    private MaskFill() {
    }

    static RgbImage fill(RgbImage picture, float[] mask) {
        int w = picture.width();
        int h = picture.height();
        int plane = w * h;
        float[] coverage = new float[plane];
        float[][] premultiplied = new float[3][plane];
        for (int i = 0; i < plane; i++) {
            coverage[i] = 1 - mask[i];
            for (int c = 0; c < 3; c++) {
                premultiplied[c][i] = picture.chw()[c * plane + i] * coverage[i];
            }
        }
        float[][] canvas = new float[3][plane];
        float[] canvasAlpha = new float[plane];
        for (int[] layer : LAYERS) {
            float[] alpha = layer[0] == 0 ? coverage : GaussianBlur.blur(coverage, w, h, layer[0]);
            float[][] colour = new float[3][];
            for (int c = 0; c < 3; c++) {
                colour[c] = layer[0] == 0 ? premultiplied[c] : GaussianBlur.blur(premultiplied[c], w, h, layer[0]);
            }
            for (int repeat = 0; repeat < layer[1]; repeat++) {
                over(canvas, canvasAlpha, colour, alpha);
            }
        }
        float[] out = new float[3 * plane];
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < plane; i++) {
                out[c * plane + i] = canvasAlpha[i] > 0 ? Math.min(1f, canvas[c][i] / canvasAlpha[i]) : 0f;
            }
        }
        return new RgbImage(w, h, out);
    }

    /** Porter-Duff "over" of a premultiplied layer onto the premultiplied canvas. */
    private static void over(float[][] canvas, float[] canvasAlpha, float[][] colour, float[] alpha) {
        for (int i = 0; i < canvasAlpha.length; i++) {
            float a = Math.min(1f, alpha[i]);
            for (int c = 0; c < 3; c++) {
                canvas[c][i] = colour[c][i] + canvas[c][i] * (1 - a);
            }
            canvasAlpha[i] = a + canvasAlpha[i] * (1 - a);
        }
    }
}

package dev.diffarm.api.upscale;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;

/**
 * One pass of an {@link UpscaleNetwork} over a picture, tile by tile as a {@link Tiling} says, so that only one
 * tile's activations exist at a time. Every network upscaler runs through here; the picture and the result stay on
 * the Java heap.
 *
 * <p>A tile is never larger than the picture: where the picture is smaller than {@code tile} along an axis the
 * tile shrinks to the picture's size (A1111 would instead crop outside the picture, feeding black into the network).
 * Progress is reported per tile: {@link Progress#checkCancelled} before each, {@link Progress#onStep} after it with
 * the tile's output.
 */
public final class TiledPass {
    private final UpscaleNetwork network;
    private final Tiling tiling;
    private final PixelPath path;

    /** A pass on the {@link PixelPath#RGB_FLOAT} path. */
    public TiledPass(UpscaleNetwork network, Tiling tiling) {
        this(network, tiling, PixelPath.RGB_FLOAT);
    }

    /** @throws IllegalArgumentException for A1111's 8-bit path with a layout other than its grid */
    public TiledPass(UpscaleNetwork network, Tiling tiling, PixelPath path) {
        if (path == PixelPath.A1111_BGR8 && tiling.layout() != TileLayout.GRID) {
            throw new IllegalArgumentException("A1111's 8-bit BGR path tiles with its grid layout only, not "
                    + tiling.layout());
        }
        this.network = network;
        this.tiling = tiling;
        this.path = path;
    }

    /**
     * {@code picture} enlarged by the network's scale, clamped to [0, 1] (on A1111's path: 8-bit levels / 255).
     *
     * @param manager where each tile's arrays are made; they are closed before the next tile
     * @throws java.util.concurrent.CancellationException if {@code progress} is cancelled between tiles
     */
    public Picture run(Picture picture, NDManager manager, Progress progress) {
        int w = picture.width();
        int h = picture.height();
        if (tiling.isNone() || (tiling.tile() >= w && tiling.tile() >= h)) {
            float[] out = finish(tile(picture, 0, 0, w, h, manager, progress, 0, 1));
            return new Picture(w * network.scale(), h * network.scale(), unitRange(out));
        }
        return switch (tiling.layout()) {
            case GRID -> grid(picture, manager, progress);
            case AVERAGE -> average(picture, manager, progress);
        };
    }

    /** {@code split_grid}, each tile through the network and clamped, {@code combine_grid} at the network's scale. */
    private Picture grid(Picture picture, NDManager manager, Progress progress) {
        int s = network.scale();
        int tileW = Math.min(tiling.tile(), picture.width());
        int tileH = Math.min(tiling.tile(), picture.height());
        int[] xs = TileGrid.gridOrigins(picture.width(), tileW, Math.min(tiling.overlap(), tileW - 1));
        int[] ys = TileGrid.gridOrigins(picture.height(), tileH, Math.min(tiling.overlap(), tileH - 1));
        int outW = picture.width() * s;
        int outH = picture.height() * s;
        int seam = tiling.overlap() * s;
        int[] fade = TileGrid.fadeIn(seam);
        float[] out = new float[3 * outW * outH];
        int rowH = tileH * s;
        int done = 0;
        for (int y : ys) {
            float[] row = new float[3 * outW * rowH];
            for (int x : xs) {
                float[] tile = finish(tile(picture, x, y, tileW, tileH, manager, progress, done++,
                        xs.length * ys.length));
                int tw = tileW * s;
                for (int c = 0; c < 3; c++) {
                    for (int r = 0; r < rowH; r++) {
                        int from = (c * rowH + r) * tw;
                        int to = (c * rowH + r) * outW + x * s;
                        blend(tile, from, row, to, tw, x == 0 ? 0 : seam, fade);
                    }
                }
            }
            for (int c = 0; c < 3; c++) {
                for (int r = 0; r < rowH; r++) {
                    int from = (c * rowH + r) * outW;
                    int to = (c * outH + y * s + r) * outW;
                    if (y == 0 || r >= seam) {
                        System.arraycopy(row, from, out, to, outW);
                    } else {
                        blend(row, from, out, to, outW, fade[r]);
                    }
                }
            }
        }
        return new Picture(outW, outH, unitRange(out));
    }

    /** {@code tiled_upscale_2}: raw tile outputs summed, divided by the tiles covering each pixel, then clamped. */
    private Picture average(Picture picture, NDManager manager, Progress progress) {
        int s = network.scale();
        int tile = Math.min(tiling.tile(), Math.min(picture.width(), picture.height()));
        int overlap = Math.min(tiling.overlap(), tile - 1);
        int[] xs = TileGrid.averageOrigins(picture.width(), tile, overlap);
        int[] ys = TileGrid.averageOrigins(picture.height(), tile, overlap);
        int outW = picture.width() * s;
        int outH = picture.height() * s;
        float[] sum = new float[3 * outW * outH];
        int[] count = new int[outW * outH];
        int ts = tile * s;
        int done = 0;
        for (int y : ys) {
            for (int x : xs) {
                float[] out = tile(picture, x, y, tile, tile, manager, progress, done++, xs.length * ys.length);
                for (int r = 0; r < ts; r++) {
                    for (int col = 0; col < ts; col++) {
                        int p = (y * s + r) * outW + x * s + col;
                        count[p]++;
                        for (int c = 0; c < 3; c++) {
                            sum[c * outW * outH + p] += out[(c * ts + r) * ts + col];
                        }
                    }
                }
            }
        }
        int plane = outW * outH;
        for (int i = 0; i < sum.length; i++) {
            sum[i] /= count[i % plane];
        }
        return new Picture(outW, outH, clamp(sum));
    }

    /** The network's raw output [3, h * scale, w * scale] for the w x h window at (x, y), row-major. */
    private float[] tile(Picture picture, int x, int y, int w, int h, NDManager manager, Progress progress, int index,
                         int total) {
        progress.checkCancelled(index);
        float[] window = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            int into = path == PixelPath.A1111_BGR8 ? 2 - c : c;
            for (int r = 0; r < h; r++) {
                System.arraycopy(picture.chw(), (c * picture.height() + y + r) * picture.width() + x, window,
                        (into * h + r) * w, w);
            }
        }
        int s = network.scale();
        try (NDManager scope = manager.newSubManager()) {
            NDArray out = network.forward(scope.create(window, new Shape(1, 3, h, w)));
            Shape expected = new Shape(1, 3, (long) h * s, (long) w * s);
            if (!out.getShape().equals(expected)) {
                throw new IllegalStateException("the upscale network of scale " + s + " turned a " + w + "x" + h
                        + " tile into " + out.getShape() + ", expected " + expected);
            }
            float[] values = out.toFloatArray();
            progress.onStep(index, total, out);
            return path == PixelPath.A1111_BGR8 ? reverseChannels(values) : values;
        }
    }

    /** Copies {@code n} values, the first {@code seam} of them faded in over what {@code dst} holds. */
    private void blend(float[] src, int from, float[] dst, int to, int n, int seam, int[] fade) {
        for (int i = 0; i < n; i++) {
            dst[to + i] = i < seam ? mix(src[from + i], dst[to + i], fade[i]) : src[from + i];
        }
    }

    /** {@code n} values faded in with mask value {@code m} over what {@code dst} holds. */
    private void blend(float[] src, int from, float[] dst, int to, int n, int m) {
        for (int i = 0; i < n; i++) {
            dst[to + i] = mix(src[from + i], dst[to + i], m);
        }
    }

    /** {@code src} over {@code dst} with an 8-bit mask value: in float, or as Pillow's paste blends levels. */
    private float mix(float src, float dst, int m) {
        if (path == PixelPath.A1111_BGR8) {
            int t = (int) dst * (255 - m) + (int) src * m + 128;
            return ((t >> 8) + t) >> 8;
        }
        float a = m / 255f;
        return src * a + dst * (1 - a);
    }

    /** A tile's output as it is kept: clamped, and on A1111's path cut to 8-bit levels 0..255. */
    private float[] finish(float[] raw) {
        clamp(raw);
        if (path == PixelPath.A1111_BGR8) {
            for (int i = 0; i < raw.length; i++) {
                raw[i] = (int) (255f * raw[i]);
            }
        }
        return raw;
    }

    /** Kept values back in [0, 1]: levels divided by 255 on A1111's path. */
    private float[] unitRange(float[] values) {
        if (path == PixelPath.A1111_BGR8) {
            for (int i = 0; i < values.length; i++) {
                values[i] /= 255f;
            }
        }
        return values;
    }

    private static float[] reverseChannels(float[] chw) {
        int plane = chw.length / 3;
        float[] out = new float[chw.length];
        for (int c = 0; c < 3; c++) {
            System.arraycopy(chw, c * plane, out, (2 - c) * plane, plane);
        }
        return out;
    }

    private static float[] clamp(float[] values) {
        for (int i = 0; i < values.length; i++) {
            values[i] = Math.min(1f, Math.max(0f, values[i]));
        }
        return values;
    }
}

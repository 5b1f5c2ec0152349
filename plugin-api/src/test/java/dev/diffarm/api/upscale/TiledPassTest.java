package dev.diffarm.api.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.diffarm.api.Progress;
import dev.diffarm.api.image.Picture;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class TiledPassTest {
    private static NDManager manager;

    @BeforeAll
    static void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterAll
    static void close() {
        manager.close();
    }

    /** x2 nearest enlargement, then 1.5 x - 0.1: every output pixel depends on one input pixel, some leave [0, 1]. */
    private static final UpscaleNetwork POINTWISE = new UpscaleNetwork() {
        @Override
        public int scale() {
            return 2;
        }

        @Override
        public NDArray forward(NDArray rgb) {
            return rgb.repeat(2, 2).repeat(3, 2).mul(1.5f).sub(0.1f);
        }
    };

    /** Scale 1: every output pixel is the tile's mean, so each tile's output is one flat value per channel. */
    private static final UpscaleNetwork TILE_MEAN = new UpscaleNetwork() {
        @Override
        public int scale() {
            return 1;
        }

        @Override
        public NDArray forward(NDArray rgb) {
            return rgb.mean(new int[] {2}, true).mean(new int[] {3}, true).broadcast(rgb.getShape());
        }
    };

    private static Picture ramp(int w, int h) {
        float[] chw = new float[3 * w * h];
        for (int c = 0; c < 3; c++) {
            for (int y = 0; y < h; y++) {
                for (int x = 0; x < w; x++) {
                    chw[(c * h + y) * w + x] = ((x * 7 + y * 13 + c * 5) % 23) / 22f;
                }
            }
        }
        return new Picture(w, h, chw);
    }

    @Test
    void tilesOfAPointwiseNetworkGiveTheUntiledResult() {
        Picture in = ramp(21, 26);
        Picture whole = new TiledPass(POINTWISE, Tiling.NONE).run(in, manager, Progress.NONE);
        for (TileLayout layout : TileLayout.values()) {
            Picture tiled = new TiledPass(POINTWISE, new Tiling(10, 3, layout)).run(in, manager, Progress.NONE);
            assertEquals(42, tiled.width());
            assertEquals(52, tiled.height());
            float max = 0;
            for (int i = 0; i < whole.chw().length; i++) {
                max = Math.max(max, Math.abs(whole.chw()[i] - tiled.chw()[i]));
            }
            assertEquals(0, max, 1e-6, layout + ": max abs difference " + max);
        }
        assertEquals(1f, whole.get(0, 32, 6), "clamped: input (3, 16) is 22/22, 1.4 after the network");
    }

    @Test
    void gridBlendsOnlyTheDeclaredOverlap() {
        Picture in = ramp(20, 4);
        Picture out = new TiledPass(TILE_MEAN, new Tiling(12, 4, TileLayout.GRID)).run(in, manager, Progress.NONE);
        // tiles at x = 0 and x = 8, each 12 wide and 4 high
        for (int c = 0; c < 3; c++) {
            float left = mean(in, c, 0);
            float right = mean(in, c, 8);
            int[] mask = TileGrid.fadeIn(4);
            for (int x = 0; x < 20; x++) {
                float expected;
                if (x < 8) {
                    expected = left;
                } else if (x < 12) {
                    float a = mask[x - 8] / 255f;
                    expected = right * a + left * (1 - a);
                } else {
                    expected = right;
                }
                assertEquals(expected, out.get(c, 2, x), 1e-6, "channel " + c + " column " + x);
            }
        }
    }

    private static float mean(Picture p, int c, int x0) {
        double sum = 0;
        for (int y = 0; y < p.height(); y++) {
            for (int x = x0; x < x0 + 12; x++) {
                sum += p.get(c, y, x);
            }
        }
        return (float) (sum / (12 * p.height()));
    }

    @Test
    void reportsEachTileAndStopsWhenCancelled() {
        List<String> steps = new ArrayList<>();
        Progress recording = new Progress() {
            @Override
            public void onStep(int step, int total, NDArray x) {
                steps.add(step + "/" + total + " " + x.getShape());
            }
        };
        new TiledPass(POINTWISE, new Tiling(12, 4, TileLayout.GRID)).run(ramp(20, 24), manager, recording);
        assertEquals(List.of("0/6 (1, 3, 24, 24)", "1/6 (1, 3, 24, 24)", "2/6 (1, 3, 24, 24)", "3/6 (1, 3, 24, 24)",
                "4/6 (1, 3, 24, 24)", "5/6 (1, 3, 24, 24)"), steps);

        Progress cancelAfterTwo = new Progress() {
            int seen;

            @Override
            public void onStep(int step, int total, NDArray x) {
                seen++;
            }

            @Override
            public boolean isCancelled() {
                return seen == 2;
            }
        };
        TiledPass pass = new TiledPass(POINTWISE, new Tiling(12, 4, TileLayout.GRID));
        CancellationException e = assertThrows(CancellationException.class,
                () -> pass.run(ramp(20, 24), manager, cancelAfterTwo));
        assertEquals("cancelled before step 2", e.getMessage());
    }
}

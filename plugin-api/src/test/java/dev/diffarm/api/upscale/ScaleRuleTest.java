package dev.diffarm.api.upscale;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.diffarm.api.image.Picture;
import dev.diffarm.api.image.PillowResize;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScaleRuleTest {
    /** A x2 "network": nearest enlargement, recording the sizes it was run on. */
    private static final class Doubling implements UpscaleStep {
        final List<String> runs = new ArrayList<>();

        @Override
        public Picture run(Picture p, double scale) {
            runs.add(p.width() + "x" + p.height());
            return PillowResize.nearest(p, p.width() * 2, p.height() * 2);
        }
    }

    private static Picture picture(int w, int h) {
        float[] chw = new float[3 * w * h];
        for (int i = 0; i < chw.length; i++) {
            chw[i] = (i * 37 % 256) / 255f;
        }
        return new Picture(w, h, chw);
    }

    @Test
    void runsTheModelUntilTheTargetIsReachedThenLanczosToMultiplesOf8() {
        Doubling x2 = new Doubling();
        Picture out = ScaleRule.upscale(picture(20, 12), 3, x2);
        // target int(60 // 8 * 8) x int(36 // 8 * 8) = 56 x 32: two runs (40x24 is too small), then down to 56x32
        assertEquals(List.of("20x12", "40x24"), x2.runs);
        assertEquals(56, out.width());
        assertEquals(32, out.height());
    }

    @Test
    void theNativeScaleNeedsNoResize() {
        Doubling x2 = new Doubling();
        Picture in = picture(16, 8);
        Picture out = ScaleRule.upscale(in, 2, x2);
        assertEquals(List.of("16x8"), x2.runs);
        assertEquals(PillowResize.nearest(in, 32, 16), out);
    }

    @Test
    void scaleOneStillRunsTheModelOnce() {
        Doubling x2 = new Doubling();
        Picture out = ScaleRule.upscale(picture(16, 8), 1, x2);
        assertEquals(1, x2.runs.size());
        assertEquals(16, out.width());
    }

    @Test
    void stopsAfterThreeRuns() {
        Doubling x2 = new Doubling();
        Picture out = ScaleRule.upscale(picture(8, 8), 16, x2);
        assertEquals(3, x2.runs.size());
        assertEquals(128, out.width());
    }

    @Test
    void resizeReachesAnExactSize() {
        Doubling x2 = new Doubling();
        Picture out = ScaleRule.resize(picture(20, 12), 50, 30, x2);
        assertEquals(List.of("20x12", "40x24"), x2.runs);
        assertEquals(50, out.width());
        assertEquals(30, out.height());
    }

    @Test
    void aResamplerRunsOnceToTheScaleThenLanczosToMultiplesOf8() {
        List<String> calls = new ArrayList<>();
        Upscaler nearest = new Upscaler() {
            @Override
            public String name() {
                return "Nearest";
            }

            @Override
            public Picture resize(Picture picture, int width, int height) {
                calls.add(width + "x" + height);
                return PillowResize.nearest(picture, width, height);
            }
        };
        Picture out = ScaleRule.upscale(picture(21, 13), 2.5, UpscaleStep.resampling(nearest));
        // int(52.5) x int(32.5) = 52 x 32, then Lanczos to 48 x 32 (52.5 // 8 * 8 = 48)
        assertEquals(List.of("52x32"), calls);
        assertEquals(48, out.width());
        assertEquals(32, out.height());
    }

    @Test
    void refusesScalesBelowOneAndTinyTargets() {
        assertThrows(IllegalArgumentException.class, () -> ScaleRule.upscale(picture(16, 16), 0.5, new Doubling()));
        assertThrows(IllegalArgumentException.class, () -> ScaleRule.upscale(picture(5, 16), 1.5, new Doubling()));
    }
}
